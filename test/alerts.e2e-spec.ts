import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlertOutcome, CommentType, HistoryChangeType, Role, TicketStatus } from '@ticketing/contracts';
import { auth, createTeam, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

const FIXTURE = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/alertmanager/webhook-v4-firing.json'), 'utf8'),
) as Record<string, any>;

const MINUTE_MS = 60_000;

let sequence = 0;
/** A valid generic alert with a fingerprint of its own; override any field. */
function alertBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  sequence += 1;
  return {
    fingerprint: `fp-${sequence}-${crypto.randomUUID().slice(0, 8)}`,
    status: 'firing',
    title: 'Checkout answers 5xx for 7% of requests',
    description: 'The error rate of checkout has been above 5% for 10 minutes.',
    severity: 'critical',
    labels: { alertname: 'HighErrorRate', env: 'production', service: 'checkout' },
    starts_at: '2026-11-30T09:58:12Z',
    source: 'grafana',
    generator_url: 'https://grafana.example.com/d/checkout',
    ...overrides,
  };
}

async function ticketCount(t: TestApp): Promise<number> {
  const [{ count }] = await t.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM tickets');
  return count;
}

describe('alert intake', () => {
  let t: TestApp;
  let integration: TestUser;
  let admin: TestUser;

  const postAlert = (body: object, user: TestUser = integration) =>
    t
      .http()
      .post('/api/v1/alerts')
      .set(...auth(user))
      .send(body);
  const postAlertmanager = (body: object, user: TestUser = integration) =>
    t
      .http()
      .post('/api/v1/alerts/alertmanager')
      .set(...auth(user))
      .send(body);
  const getTicket = async (id: string) =>
    (
      await t
        .http()
        .get(`/api/v1/tickets/${id}`)
        .set(...auth(admin))
        .expect(200)
    ).body as Record<string, any>;
  const history = async (id: string) =>
    (
      await t
        .http()
        .get(`/api/v1/tickets/${id}/history?page_size=100`)
        .set(...auth(admin))
        .expect(200)
    ).body.items as Record<string, any>[];
  const comments = async (id: string) =>
    (
      await t
        .http()
        .get(`/api/v1/tickets/${id}/comments?page_size=100`)
        .set(...auth(admin))
        .expect(200)
    ).body.items as Record<string, any>[];
  async function fire(body: Record<string, any>): Promise<Record<string, any>> {
    const res = await postAlert(body);
    expect(res.status).toBe(200);
    return res.body.items[0] as Record<string, any>;
  }

  beforeAll(async () => {
    t = await startTestApp();
    // The service account of a monitoring integration.
    integration = t.user(Role.DEVOPS_ENGINEER);
    admin = t.user(Role.ADMIN);
  });

  afterEach(() => {
    t.setNow(null);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('a firing alert', () => {
    it('opens an INCIDENT ticket mapped from the alert, with the alert shown on it', async () => {
      const body = alertBody({
        labels: { alertname: 'HighErrorRate', environment: 'production', service: 'checkout', team: 'payments' },
      });
      const item = await fire(body);
      expect(item).toEqual({
        fingerprint: body.fingerprint,
        outcome: AlertOutcome.CREATED,
        ticket_id: expect.any(String),
        ticket_number: expect.stringMatching(/^TKT-\d{6}$/),
      });
      const ticket = await getTicket(item.ticket_id);
      expect(ticket).toMatchObject({
        ticket_number: item.ticket_number,
        title: body.title,
        category: 'INCIDENT',
        priority: 'P1',
        status: TicketStatus.NEW,
        environment: 'PRODUCTION',
        affected_service: 'checkout',
        tags: ['higherrorrate'],
        reporter_id: integration.id,
        team_id: null,
        alert: {
          fingerprint: body.fingerprint,
          source: 'grafana',
          labels: body.labels,
          generator_url: body.generator_url,
          occurrences: 1,
          last_alert_at: ticket.created_at,
          resolved_at: null,
        },
      });
      expect(ticket.description).toBe(`${body.description}\n\nAlert firing since 2026-11-30T09:58:12.000Z.`);
      expect((await history(ticket.id)).map((row) => row.change_type)).toEqual([HistoryChangeType.CREATED]);
    });

    it('shows alert: null on tickets opened by people', async () => {
      const ticket = await createTicket(t, admin);
      expect(ticket.alert).toBeNull();
      expect((await getTicket(ticket.id)).alert).toBeNull();
    });

    it.each([
      ['critical', {}, 'P1'],
      ['high', {}, 'P2'],
      ['warning', {}, 'P3'],
      ['info', {}, 'P4'],
      ['info', { priority: 'P1' }, 'P1'],
      ['critical', { priority: 'p3' }, 'P3'],
    ])('maps severity %s with labels %o to priority %s', async (severity, labels, priority) => {
      const item = await fire(alertBody({ severity, labels }));
      expect((await getTicket(item.ticket_id)).priority).toBe(priority);
    });

    it('counts a repeat firing on the open ticket: alert_occurrences, last_alert_at, one history row, no comment', async () => {
      const body = alertBody();
      const first = await fire(body);
      t.setNow(new Date(Date.now() + 5 * MINUTE_MS));
      const second = await fire(body);
      const third = await fire(body);
      expect([second, third]).toEqual([
        { ...first, outcome: AlertOutcome.DEDUPLICATED },
        { ...first, outcome: AlertOutcome.DEDUPLICATED },
      ]);
      const ticket = await getTicket(first.ticket_id);
      expect(ticket.alert.occurrences).toBe(3);
      expect(new Date(ticket.alert.last_alert_at).getTime()).toBeGreaterThan(new Date(ticket.created_at).getTime());
      const rows = await history(ticket.id);
      expect(rows.map((row) => [row.change_type, row.field_name, row.old_value, row.new_value])).toEqual([
        [HistoryChangeType.CREATED, null, null, null],
        [HistoryChangeType.UPDATE, 'alert_occurrences', '1', '2'],
        [HistoryChangeType.UPDATE, 'alert_occurrences', '2', '3'],
      ]);
      expect(rows[1].user_id).toBe(integration.id);
      expect(await comments(ticket.id)).toEqual([]);
    });

    it('routes the ticket to the team of the first matching route', async () => {
      const manager = t.user(Role.MANAGER);
      const payments = await createTeam(t, manager, `Payments ${crypto.randomUUID().slice(0, 6)}`);
      const platform = await createTeam(t, manager, `Platform ${crypto.randomUUID().slice(0, 6)}`);
      await t
        .http()
        .put('/api/v1/alert-routes')
        .set(...auth(admin))
        .send({
          routes: [
            { match: { service: 'checkout', env: 'production' }, team_id: payments.id },
            { match: {}, team_id: platform.id },
          ],
        })
        .expect(200);
      try {
        const checkout = await fire(alertBody());
        const other = await fire(alertBody({ labels: { service: 'search', env: 'production' } }));
        expect((await getTicket(checkout.ticket_id)).team_id).toBe(payments.id);
        expect((await getTicket(other.ticket_id)).team_id).toBe(platform.id);
      } finally {
        await t
          .http()
          .put('/api/v1/alert-routes')
          .set(...auth(admin))
          .send({ routes: [] })
          .expect(200);
      }
    });
  });

  describe('after the ticket ended', () => {
    /** An engineer takes the ticket (NEW → OPEN) and resolves it. */
    async function resolveTicket(id: string): Promise<void> {
      await t
        .http()
        .patch(`/api/v1/tickets/${id}/status`)
        .set(...auth(admin))
        .send({ status: 'OPEN' })
        .expect(200);
      await t
        .http()
        .post(`/api/v1/tickets/${id}/resolve`)
        .set(...auth(admin))
        .send({ resolution_notes: 'Rolled back the faulty release.' })
        .expect(200);
    }

    it('reopens the ticket when the alert fires again within ALERT_REOPEN_WINDOW_MINUTES (60)', async () => {
      const body = alertBody();
      const first = await fire(body);
      await resolveTicket(first.ticket_id);
      t.setNow(new Date(Date.now() + 59 * MINUTE_MS));
      const again = await fire(body);
      expect(again).toEqual({ ...first, outcome: AlertOutcome.REOPENED });
      const ticket = await getTicket(first.ticket_id);
      expect(ticket).toMatchObject({ status: TicketStatus.REOPENED, reopen_count: 1, resolved_at: null });
      expect(ticket.alert.occurrences).toBe(2);
      expect((await history(ticket.id)).map((row) => row.change_type)).toEqual([
        HistoryChangeType.CREATED,
        HistoryChangeType.STATUS_CHANGE,
        HistoryChangeType.RESOLVED,
        HistoryChangeType.REOPENED,
        HistoryChangeType.UPDATE,
      ]);
    });

    it('opens a new ticket linked to the previous one when the alert fires again later', async () => {
      const body = alertBody();
      const first = await fire(body);
      await resolveTicket(first.ticket_id);
      t.setNow(new Date(Date.now() + 61 * MINUTE_MS));
      const again = await fire(body);
      expect(again.outcome).toBe(AlertOutcome.CREATED);
      expect(again.ticket_id).not.toBe(first.ticket_id);
      const ticket = await getTicket(again.ticket_id);
      expect(ticket.description).toContain(`previous ticket ${first.ticket_number} (${first.ticket_id})`);
      expect(ticket.alert.occurrences).toBe(1);
      expect((await getTicket(first.ticket_id)).status).toBe(TicketStatus.RESOLVED);

      // The old ticket may not come back while the new one is open: one open ticket per fingerprint.
      const reopen = await t
        .http()
        .post(`/api/v1/tickets/${first.ticket_id}/reopen`)
        .set(...auth(admin))
        .send({ reason: 'The error rate is back again.' });
      expect(reopen.status).toBe(409);
      expect(reopen.body).toMatchObject({
        error_code: 'CONFLICT',
        detail: `${again.ticket_number} is open for the same alert; work on that ticket instead`,
      });
    });
  });

  describe('a resolved alert', () => {
    it('adds one internal note "alert resolved at …" to the open ticket and leaves its status alone', async () => {
      const body = alertBody();
      const first = await fire(body);
      const endsAt = '2026-11-30T10:20:00Z';
      const resolved = await fire({ ...body, status: 'resolved', ends_at: endsAt });
      expect(resolved).toEqual({ ...first, outcome: AlertOutcome.RESOLVED_NOTE });
      // Alertmanager repeats resolved alerts: the note is written once.
      expect(await fire({ ...body, status: 'resolved', ends_at: endsAt })).toEqual({
        fingerprint: body.fingerprint,
        outcome: AlertOutcome.IGNORED,
        ticket_id: null,
        ticket_number: null,
      });
      const ticket = await getTicket(first.ticket_id);
      expect(ticket.status).toBe(TicketStatus.NEW);
      expect(ticket.alert.resolved_at).toBe('2026-11-30T10:20:00.000Z');
      const notes = await comments(ticket.id);
      expect(notes).toEqual([
        expect.objectContaining({
          content: 'Alert resolved at 2026-11-30T10:20:00.000Z.',
          comment_type: CommentType.SYSTEM,
          is_internal: true,
          author_id: integration.id,
        }),
      ]);
      // A new firing clears the resolution; the next resolution is noted again.
      await fire(body);
      expect((await getTicket(ticket.id)).alert.resolved_at).toBeNull();
      expect((await fire({ ...body, status: 'resolved', ends_at: '2026-11-30T11:00:00Z' })).outcome).toBe(
        AlertOutcome.RESOLVED_NOTE,
      );
      expect(await comments(ticket.id)).toHaveLength(2);
    });

    it('is ignored when no ticket of its fingerprint is open', async () => {
      const before = await ticketCount(t);
      expect(await fire(alertBody({ status: 'resolved' }))).toMatchObject({
        outcome: AlertOutcome.IGNORED,
        ticket_id: null,
      });
      expect(await ticketCount(t)).toBe(before);
    });
  });

  describe('Alertmanager webhook (payload version 4)', () => {
    it('creates the expected tickets from a notification in the documented format', async () => {
      const res = await postAlertmanager(FIXTURE);
      expect(res.status).toBe(200);
      const [checkout, disk, crashLoop] = res.body.items as Record<string, any>[];
      expect(res.body.items.map((item: Record<string, any>) => [item.fingerprint, item.outcome])).toEqual([
        ['3b4c6e1f9a0d2b7c', AlertOutcome.CREATED],
        ['a81f30c2d4e5b6f7', AlertOutcome.CREATED],
        ['5d2e8f0a1b3c4d6e', AlertOutcome.IGNORED],
      ]);
      expect(crashLoop.ticket_id).toBeNull();

      const checkoutTicket = await getTicket(checkout.ticket_id);
      expect(checkoutTicket).toMatchObject({
        title: 'Checkout answers 5xx for 7% of requests',
        category: 'INCIDENT',
        priority: 'P1',
        environment: 'PRODUCTION',
        affected_service: 'checkout',
        tags: ['higherrorrate'],
        alert: {
          fingerprint: '3b4c6e1f9a0d2b7c',
          source: 'alertmanager',
          labels: FIXTURE.alerts[0].labels,
          generator_url: FIXTURE.alerts[0].generatorURL,
          occurrences: 1,
        },
      });
      expect(checkoutTicket.description).toBe(
        '5xx answers are 7.2% of checkout requests over the last 10 minutes (threshold 5%).\n\n' +
          'Alert firing since 2026-11-30T09:58:12.345Z.',
      );
      expect(await getTicket(disk.ticket_id)).toMatchObject({
        title: 'Filesystem has less than 5% space left.',
        priority: 'P3',
        environment: 'STAGING',
        affected_service: 'node-exporter',
        tags: ['nodefilesystemalmostoutofspace'],
      });

      // Alertmanager re-sends the group every repeat_interval: the same tickets count the repeats.
      const repeat = await postAlertmanager(FIXTURE);
      expect(repeat.body.items.map((item: Record<string, any>) => [item.ticket_id, item.outcome])).toEqual([
        [checkout.ticket_id, AlertOutcome.DEDUPLICATED],
        [disk.ticket_id, AlertOutcome.DEDUPLICATED],
        [null, AlertOutcome.IGNORED],
      ]);
      expect((await getTicket(checkout.ticket_id)).alert.occurrences).toBe(2);
    });

    it('handles a resolved alert of the webhook like the generic form', async () => {
      const firing = structuredClone(FIXTURE.alerts[1]) as Record<string, any>;
      firing.fingerprint = `am-${crypto.randomUUID()}`;
      const created = await postAlertmanager({ ...FIXTURE, alerts: [firing] });
      const resolved = { ...firing, status: 'resolved', endsAt: '2026-11-30T10:05:00.5Z' };
      const res = await postAlertmanager({ ...FIXTURE, status: 'resolved', alerts: [resolved] });
      expect(res.body.items).toEqual([{ ...created.body.items[0], outcome: AlertOutcome.RESOLVED_NOTE }]);
      expect((await comments(created.body.items[0].ticket_id)).map((c) => c.content)).toEqual([
        'Alert resolved at 2026-11-30T10:05:00.500Z.',
      ]);
    });
  });

  describe('de-duplication under concurrency', () => {
    // On PGlite the service holds one connection, so the 50 requests queue up; the test still proves the
    // outcome there, while PostgreSQL runs them truly in parallel.
    it('turns 50 concurrent identical firings into one ticket with alert_occurrences 50', async () => {
      const body = alertBody();
      const before = await ticketCount(t);
      const answers = await Promise.all(Array.from({ length: 50 }, () => postAlert(body)));
      expect(answers.map((res) => res.status)).toEqual(Array(50).fill(200));
      const items = answers.map((res) => res.body.items[0] as Record<string, any>);
      expect(new Set(items.map((item) => item.ticket_id)).size).toBe(1);
      expect(items.filter((item) => item.outcome === AlertOutcome.CREATED)).toHaveLength(1);
      expect(items.filter((item) => item.outcome === AlertOutcome.DEDUPLICATED)).toHaveLength(49);
      expect(await ticketCount(t)).toBe(before + 1);
      const ticket = await getTicket(items[0].ticket_id);
      expect(ticket.alert.occurrences).toBe(50);
      const rows = await history(ticket.id);
      expect(rows.filter((row) => row.field_name === 'alert_occurrences')).toHaveLength(49);
      expect(await comments(ticket.id)).toEqual([]);
    });

    it('lets concurrent deliveries that share fingerprints in opposite orders finish (no deadlock)', async () => {
      const alerts = ['a', 'b', 'c'].map((name) => ({
        ...FIXTURE.alerts[0],
        fingerprint: `${name}-${crypto.randomUUID()}`,
      }));
      const deliveries = Array.from({ length: 12 }, (_, i) => ({
        ...FIXTURE,
        alerts: i % 2 === 0 ? alerts : [...alerts].reverse(),
      }));
      const answers = await Promise.all(deliveries.map((delivery) => postAlertmanager(delivery)));
      expect(answers.map((res) => res.status)).toEqual(Array(12).fill(200));
      const ticketIds = new Set(
        answers.flatMap((res) => res.body.items.map((item: Record<string, any>) => item.ticket_id)),
      );
      expect(ticketIds.size).toBe(3);
      for (const id of ticketIds) expect((await getTicket(id as string)).alert.occurrences).toBe(12);
    });
  });

  describe('alert routes', () => {
    it('stores the rules in order and answers them back', async () => {
      const manager = t.user(Role.MANAGER);
      const team = await createTeam(t, manager, `Routes ${crypto.randomUUID().slice(0, 6)}`);
      const routes = [
        { match: { service: 'checkout' }, team_id: team.id },
        { match: {}, team_id: team.id },
      ];
      const put = await t
        .http()
        .put('/api/v1/alert-routes')
        .set(...auth(admin))
        .send({ routes });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ routes });
      const get = await t
        .http()
        .get('/api/v1/alert-routes')
        .set(...auth(integration));
      expect(get.body).toEqual({ routes });

      const removal = await t
        .http()
        .delete(`/api/v1/teams/${team.id}`)
        .set(...auth(admin));
      expect(removal.status).toBe(409);
      expect(removal.body.error_code).toBe('CONFLICT');
      await t
        .http()
        .put('/api/v1/alert-routes')
        .set(...auth(admin))
        .send({ routes: [] })
        .expect(200);
      await t
        .http()
        .delete(`/api/v1/teams/${team.id}`)
        .set(...auth(admin))
        .expect(204);
    });

    it('refuses a route to a team that does not exist, and keeps the rules it had', async () => {
      const res = await t
        .http()
        .put('/api/v1/alert-routes')
        .set(...auth(admin))
        .send({ routes: [{ match: { service: 'x' }, team_id: crypto.randomUUID() }] });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'routes.0.team_id', message: 'no such team' }]);
      expect(
        (
          await t
            .http()
            .get('/api/v1/alert-routes')
            .set(...auth(admin))
        ).body,
      ).toEqual({ routes: [] });
    });

    it.each([
      ['no routes property', {}],
      ['routes not a list', { routes: {} }],
      ['a bad team id', { routes: [{ match: {}, team_id: 'team-1' }] }],
      ['a non-string label value', { routes: [{ match: { service: 1 }, team_id: crypto.randomUUID() }] }],
      ['a bad label name', { routes: [{ match: { 'bad-name': 'x' }, team_id: crypto.randomUUID() }] }],
      ['an unknown property in a route', { routes: [{ match: {}, team_id: crypto.randomUUID(), order: 1 }] }],
      ['101 routes', { routes: Array.from({ length: 101 }, () => ({ match: {}, team_id: crypto.randomUUID() })) }],
    ])('answers 400 to %s', async (_case, body) => {
      const res = await t
        .http()
        .put('/api/v1/alert-routes')
        .set(...auth(admin))
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error_code: 'VALIDATION_ERROR', errors: expect.any(Array) });
      expect(res.body.errors.length).toBeGreaterThan(0);
    });
  });

  describe('auth and validation', () => {
    it.each([
      ['POST', '/api/v1/alerts'],
      ['POST', '/api/v1/alerts/alertmanager'],
      ['GET', '/api/v1/alert-routes'],
      ['PUT', '/api/v1/alert-routes'],
    ])('%s %s answers 401 without a token and 403 to an END_USER', async (method, path) => {
      const call = (token?: string) => {
        const request =
          method === 'GET'
            ? t.http().get(path)
            : (method === 'PUT' ? t.http().put(path) : t.http().post(path)).send(alertBody());
        return token ? request.set('Authorization', `Bearer ${token}`) : request;
      };
      const anonymous = await call();
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      const requester = await call(t.user(Role.END_USER).token);
      expect(requester.status).toBe(403);
      expect(requester.body.error_code).toBe('FORBIDDEN');
    });

    it.each([
      ['no fingerprint', { fingerprint: undefined }, 'fingerprint'],
      ['an empty fingerprint', { fingerprint: '  ' }, 'fingerprint'],
      ['a fingerprint of 201 characters', { fingerprint: 'f'.repeat(201) }, 'fingerprint'],
      ['an unknown status', { status: 'pending' }, 'status'],
      ['an unknown severity', { severity: 'disaster' }, 'severity'],
      ['no title', { title: undefined }, 'title'],
      ['labels that are a list', { labels: ['a'] }, 'labels'],
      ['a label with a number value', { labels: { service: 5 } }, 'labels'],
      ['a label with a bad name', { labels: { 'x-y': 'z' } }, 'labels'],
      ['65 labels', { labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v'])) }, 'labels'],
      ['a starts_at that is no timestamp', { starts_at: 'yesterday' }, 'starts_at'],
      ['an impossible ends_at', { ends_at: '2026-02-30T10:00:00Z' }, 'ends_at'],
      ['a generator_url that is no URL', { generator_url: 'not a url' }, 'generator_url'],
      ['an unknown property', { ticket_id: crypto.randomUUID() }, 'ticket_id'],
    ])('refuses a generic alert with %s (400, nothing stored)', async (_case, overrides, field) => {
      const before = await ticketCount(t);
      const res = await postAlert(alertBody(overrides));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error_code: 'VALIDATION_ERROR', request_id: res.headers['x-request-id'] });
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(await ticketCount(t)).toBe(before);
    });

    it.each([
      ['version 3', { version: '3' }, 'version'],
      ['no alerts', { alerts: [] }, 'alerts'],
      [
        'an alert without fingerprint',
        { alerts: [{ ...FIXTURE.alerts[0], fingerprint: undefined }] },
        'alerts.0.fingerprint',
      ],
      [
        'an alert with an unknown property',
        { alerts: [{ ...FIXTURE.alerts[0], silenced: true }] },
        'alerts.0.silenced',
      ],
      [
        'a bad annotation',
        { alerts: [{ ...FIXTURE.alerts[0], annotations: { summary: ['x'] } }] },
        'alerts.0.annotations',
      ],
      ['a bad startsAt', { alerts: [{ ...FIXTURE.alerts[0], startsAt: '30/11/2026' }] }, 'alerts.0.startsAt'],
      ['an unknown top-level property', { alertname: 'x' }, 'alertname'],
      ['1,001 alerts', { alerts: Array.from({ length: 1001 }, () => FIXTURE.alerts[0]) }, 'alerts'],
    ])('refuses an Alertmanager payload with %s (400, nothing stored)', async (_case, overrides, field) => {
      const before = await ticketCount(t);
      // A valid alert first: a refused delivery stores none of its alerts.
      const fresh = { ...FIXTURE.alerts[1], fingerprint: `ok-${crypto.randomUUID()}` };
      const body = { ...FIXTURE, alerts: [fresh, ...FIXTURE.alerts], ...overrides };
      const res = await postAlertmanager(body);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('VALIDATION_ERROR');
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(await ticketCount(t)).toBe(before);
    });

    it('answers 400 to malformed JSON and to another content type', async () => {
      const malformed = await t
        .http()
        .post('/api/v1/alerts')
        .set(...auth(integration))
        .set('Content-Type', 'application/json')
        .send('{"fingerprint":');
      expect(malformed.status).toBe(400);
      const text = await t
        .http()
        .post('/api/v1/alerts/alertmanager')
        .set(...auth(integration))
        .set('Content-Type', 'text/plain')
        .send('version=4');
      expect(text.status).toBe(400);
    });
  });
});

describe('alert intake with ALERT_AUTO_RESOLVE=true', () => {
  let t: TestApp;
  let integration: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ ALERT_AUTO_RESOLVE: 'true', ALERT_REOPEN_WINDOW_MINUTES: '0' });
    integration = t.user(Role.DEVOPS_ENGINEER);
    admin = t.user(Role.ADMIN);
  });

  afterAll(async () => {
    await t.close();
  });

  const fire = async (body: Record<string, any>) => {
    const res = await t
      .http()
      .post('/api/v1/alerts')
      .set(...auth(integration))
      .send(body);
    expect(res.status).toBe(200);
    return res.body.items[0] as Record<string, any>;
  };
  const getTicket = async (id: string) =>
    (
      await t
        .http()
        .get(`/api/v1/tickets/${id}`)
        .set(...auth(admin))
        .expect(200)
    ).body as Record<string, any>;

  it('resolves the ticket when no one has changed its status since the alert opened it', async () => {
    const body = alertBody();
    const created = await fire(body);
    const resolved = await fire({ ...body, status: 'resolved', ends_at: '2026-11-30T10:20:00Z' });
    expect(resolved.outcome).toBe(AlertOutcome.RESOLVED_NOTE);
    const ticket = await getTicket(created.ticket_id);
    expect(ticket).toMatchObject({
      status: TicketStatus.RESOLVED,
      resolution_notes: 'Resolved automatically: the alert resolved at 2026-11-30T10:20:00.000Z.',
    });
    const rows = (
      await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}/history`)
        .set(...auth(admin))
    ).body.items as Record<string, any>[];
    expect(rows.map((row) => [row.change_type, row.old_value, row.new_value])).toEqual([
      [HistoryChangeType.CREATED, null, null],
      [HistoryChangeType.STATUS_CHANGE, TicketStatus.NEW, TicketStatus.OPEN],
      [HistoryChangeType.RESOLVED, TicketStatus.OPEN, TicketStatus.RESOLVED],
      [HistoryChangeType.COMMENT_ADDED, null, null],
    ]);

    // ALERT_REOPEN_WINDOW_MINUTES=0: the next firing opens a new ticket, which auto-resolves again.
    const next = await fire(body);
    expect(next.outcome).toBe(AlertOutcome.CREATED);
    expect(next.ticket_id).not.toBe(created.ticket_id);
  });

  it('leaves the status alone once someone else has moved the ticket', async () => {
    const body = alertBody();
    const created = await fire(body);
    await t
      .http()
      .patch(`/api/v1/tickets/${created.ticket_id}/status`)
      .set(...auth(admin))
      .send({ status: TicketStatus.IN_PROGRESS })
      .expect(200);
    expect((await fire({ ...body, status: 'resolved' })).outcome).toBe(AlertOutcome.RESOLVED_NOTE);
    expect((await getTicket(created.ticket_id)).status).toBe(TicketStatus.IN_PROGRESS);
  });
});
