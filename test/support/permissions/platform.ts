import {
  type Action,
  ADMIN,
  ALL_CALLERS,
  ALL_ROLES,
  END_USER,
  idsOf,
  type Matrix,
  type RouteKey,
  type Row,
  SLA_P4,
  webhookUrl,
  WORKING_CALENDAR,
} from './harness';

/**
 * Spec §6, §7 and §9 for SLA policies, the change feed, webhooks and their deliveries (ADMIN only), and the
 * public endpoints of §3 (health, readiness, metrics, the API documents), which answer anyone, with or
 * without a token.
 */

/** What a public route answers anyone, and the content type of its answer. */
interface PublicAnswer {
  status: number;
  contentType: RegExp;
}

/** Public by spec §3: `/health*`, `/metrics`, `/docs` (with what Swagger UI loads), `/redoc` (with its script), `/openapi.json`. */
export const PUBLIC_ROUTES: Record<RouteKey, PublicAnswer> = {
  'GET /health': { status: 200, contentType: /json/ },
  'GET /health/ready': { status: 200, contentType: /json/ },
  'GET /metrics': { status: 200, contentType: /^text\/plain/ },
  'GET /docs': { status: 200, contentType: /html/ },
  'GET /docs/': { status: 200, contentType: /html/ },
  'GET /docs/index.html': { status: 200, contentType: /html/ },
  'GET /docs/swagger-ui-init.js': { status: 200, contentType: /javascript/ },
  'GET /docs/docs/swagger-ui-init.js': { status: 200, contentType: /javascript/ },
  // @nestjs/swagger registers it to hide swagger-ui-dist's LICENSE file from the static assets: always 404.
  'GET /docs/LICENSE': { status: 404, contentType: /json/ },
  'GET /openapi.json': { status: 200, contentType: /json/ },
  'GET /redoc': { status: 200, contentType: /html/ },
  'GET /redoc/redoc.standalone.js': { status: 200, contentType: /javascript/ },
};

const publicGet = (route: RouteKey, { contentType }: PublicAnswer): Action => ({
  route,
  request: (w) => w.call.get(route.slice('GET '.length)),
  verify: (res) => expect(res.headers['content-type']).toMatch(contentType),
});

const actions: Record<string, Action> = {
  'get SLA policies': {
    route: 'GET /api/v1/sla/policies',
    request: (w) => w.call.get('/api/v1/sla/policies'),
    verify: (res) =>
      expect(res.body.items.map((item: { priority: string }) => item.priority)).toEqual(['P1', 'P2', 'P3', 'P4']),
  },
  'PUT SLA policy P4': {
    route: 'PUT /api/v1/sla/policies/:priority',
    request: (w) => w.call.put('/api/v1/sla/policies/P4', SLA_P4),
    verify: (res) => expect(res.body).toMatchObject({ priority: 'P4', ...SLA_P4 }),
  },
  'get SLA calendar': {
    route: 'GET /api/v1/sla/calendar',
    request: (w) => w.call.get('/api/v1/sla/calendar'),
    verify: (res) => expect(res.body).toMatchObject({ team_id: null, week: expect.any(Object) }),
  },
  'replace SLA calendar': {
    route: 'PUT /api/v1/sla/calendar',
    request: (w) => w.call.put('/api/v1/sla/calendar', WORKING_CALENDAR),
    verify: (res) => expect(res.body).toMatchObject({ team_id: null, ...WORKING_CALENDAR }),
  },
  'read the change feed': {
    route: 'GET /api/v1/events',
    request: (w) => w.call.get('/api/v1/events?limit=10'),
    verify: (res) => expect(res.body).toEqual({ items: expect.any(Array), next_cursor: expect.any(String) }),
  },
  'create webhook': {
    route: 'POST /api/v1/webhooks',
    request: (w) =>
      w.call.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/other', secret: 'another-shared-secret-value' }),
    verify: (res) => expect(res.body).not.toHaveProperty('secret'),
  },
  'list webhooks': {
    route: 'GET /api/v1/webhooks',
    request: (w) => w.call.get('/api/v1/webhooks?page_size=100'),
    verify: (res, w) => expect(idsOf(res)).toContain(w.webhook!.id),
  },
  'get webhook': {
    route: 'GET /api/v1/webhooks/:webhook_id',
    request: (w) => w.call.get(webhookUrl(w)),
    verify: (res, w) => expect(res.body.id).toBe(w.webhook!.id),
  },
  'delete webhook': {
    route: 'DELETE /api/v1/webhooks/:webhook_id',
    request: (w) => w.call.delete(webhookUrl(w)),
    verify: async (_res, w) => {
      await w.asAdmin.get(webhookUrl(w)).expect(404);
    },
  },
  'list deliveries': {
    route: 'GET /api/v1/webhooks/:webhook_id/deliveries',
    request: (w) => w.call.get(webhookUrl(w, '/deliveries')),
    verify: (res, w) => expect(idsOf(res)).toEqual([w.delivery!.id]),
  },
  redeliver: {
    route: 'POST /api/v1/webhooks/:webhook_id/deliveries/:delivery_id/redeliver',
    request: (w) => w.call.post(webhookUrl(w, `/deliveries/${w.delivery!.id}/redeliver`)),
    verify: (res, w) => expect(res.body).toMatchObject({ id: w.delivery!.id, state: 'PENDING' }),
  },
  ...Object.fromEntries(
    Object.entries(PUBLIC_ROUTES).map(([route, answer]) => [route, publicGet(route as RouteKey, answer)]),
  ),
};

const adminOnly = (action: string, scenario: Row[2], ok: number): Row[] =>
  ALL_ROLES.map((role): Row => [action, role, scenario, role === ADMIN ? ok : 403]);

const rows: Row[] = [
  ...ALL_ROLES.map((role): Row => ['get SLA policies', role, 'none', 200]),
  ...adminOnly('PUT SLA policy P4', 'none', 200),
  ...ALL_ROLES.map((role): Row => ['get SLA calendar', role, 'none', 200]),
  ...adminOnly('replace SLA calendar', 'none', 200),

  // The feed carries internal events (with their `internal` flag): DEVOPS_ENGINEER and above (§9).
  ...ALL_ROLES.map((role): Row => ['read the change feed', role, 'none', role === END_USER ? 403 : 200]),

  // Webhooks are global configuration, not anyone's own: any admin manages every subscription (§9).
  ...adminOnly('create webhook', 'none', 201),
  ...adminOnly('list webhooks', 'webhook', 200),
  ...adminOnly('get webhook', 'webhook', 200),
  ...adminOnly('delete webhook', 'webhook', 204),
  ...adminOnly('list deliveries', 'webhook', 200),
  ...adminOnly('redeliver', 'webhook', 200),

  ...Object.entries(PUBLIC_ROUTES).flatMap(([route, { status }]) =>
    ALL_CALLERS.map((caller): Row => [route, caller, 'none', status]),
  ),
];

export const PLATFORM_MATRIX: Matrix = { actions, rows };
