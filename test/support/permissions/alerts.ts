import { AlertOutcome } from '@ticketing/contracts';
import { type Action, ADMIN, ALL_ROLES, END_USER, type Matrix, type Row, type World } from './harness';

/**
 * Issue 14 (alert intake): integrations post alerts with a service account's token, DEVOPS_ENGINEER or above;
 * the routing rules are read by the same roles and written by ADMIN only.
 */

/** A generic firing alert with a fingerprint no other row uses. */
export const genericAlert = (extra: Record<string, unknown> = {}) => ({
  fingerprint: `perm-${crypto.randomUUID()}`,
  status: 'firing',
  title: 'Build agents out of disk',
  description: 'Free space on the build agents is below 5%.',
  severity: 'warning',
  labels: { alertname: 'DiskAlmostFull', service: 'ci' },
  starts_at: '2026-11-30T09:00:00Z',
  ...extra,
});

/** An Alertmanager (v4) notification with one firing alert of its own. */
export const alertmanagerPayload = (extra: Record<string, unknown> = {}) => ({
  version: '4',
  status: 'firing',
  receiver: 'ticket-service',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskAlmostFull', severity: 'warning' },
      annotations: { summary: 'Build agents out of disk' },
      startsAt: '2026-11-30T09:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: `perm-${crypto.randomUUID()}`,
    },
  ],
  ...extra,
});

/** The routes a row writes: everything to the fixture's team. */
export const routesTo = (w: World) => ({ routes: [{ match: { service: 'ci' }, team_id: w.team!.id }] });

/** The one ticket an intake answer names was opened by the caller. */
const openedByCaller = async (res: { body: { items: Record<string, any>[] } }, w: World) => {
  expect(res.body.items).toEqual([expect.objectContaining({ outcome: AlertOutcome.CREATED })]);
  const ticket = await w.asAdmin.get(`/api/v1/tickets/${res.body.items[0].ticket_id}`).expect(200);
  expect(ticket.body).toMatchObject({ reporter_id: w.actor.id, category: 'INCIDENT' });
};

const actions: Record<string, Action> = {
  'post an alert': {
    route: 'POST /api/v1/alerts',
    request: (w) => w.call.post('/api/v1/alerts', genericAlert()),
    verify: openedByCaller,
  },
  'post an Alertmanager notification': {
    route: 'POST /api/v1/alerts/alertmanager',
    request: (w) => w.call.post('/api/v1/alerts/alertmanager', alertmanagerPayload()),
    verify: openedByCaller,
  },
  'list alert routes': {
    route: 'GET /api/v1/alert-routes',
    request: (w) => w.call.get('/api/v1/alert-routes'),
    verify: (res) => expect(res.body).toEqual({ routes: expect.any(Array) }),
  },
  'replace alert routes': {
    route: 'PUT /api/v1/alert-routes',
    request: (w) => w.call.put('/api/v1/alert-routes', routesTo(w)),
    verify: async (res, w) => {
      expect(res.body).toEqual(routesTo(w));
      expect((await w.asAdmin.get('/api/v1/alert-routes').expect(200)).body).toEqual(routesTo(w));
    },
  },
};

const staffOnly = (action: string, ok: number): Row[] =>
  ALL_ROLES.map((role): Row => [action, role, 'none', role === END_USER ? 403 : ok]);

const rows: Row[] = [
  ...staffOnly('post an alert', 200),
  ...staffOnly('post an Alertmanager notification', 200),
  ...staffOnly('list alert routes', 200),
  ...ALL_ROLES.map((role): Row => ['replace alert routes', role, 'team', role === ADMIN ? 200 : 403]),
];

export const ALERT_MATRIX: Matrix = { actions, rows };
