import { HistoryChangeType, Role, TicketPriority } from '@ticketing/contracts';
import { SlaBreachScanner } from '../apps/ticket-service/src/modules/tickets/sla-breach.scanner';
import { itOnPostgres } from './support/conditions';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const T0 = new Date('2026-05-04T08:00:00.000Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

describe('SLA', () => {
  let t: TestApp;
  /** A second instance on the same database, on PostgreSQL only: PGlite's in-memory database belongs to one app. */
  let other: TestApp | null = null;

  beforeAll(async () => {
    t = await startTestApp();
    if (t.database.url) other = await startTestApp({ DATABASE_URL: t.database.url, MIGRATIONS_RUN: 'false' });
  });

  afterAll(async () => {
    await other?.close();
    await t.close();
  });

  afterEach(() => {
    t.setNow(null);
    other?.setNow(null);
  });

  it.each([
    [TicketPriority.P1, 1, 4],
    [TicketPriority.P2, 4, 24],
    [TicketPriority.P3, 8, 72],
    [TicketPriority.P4, 24, 168],
  ])('sets %s due dates from creation', async (priority, responseHours, resolutionHours) => {
    t.setNow(T0);
    const ticket = await createTicket(t, t.user(Role.END_USER), { priority });
    expect(ticket.response_due_at).toBe(hours(responseHours).toISOString());
    expect(ticket.resolution_due_at).toBe(hours(resolutionHours).toISOString());
  });

  it('lists the policies for every role and applies an ADMIN change to new tickets only', async () => {
    const reader = t.user(Role.END_USER);
    const listed = await t
      .http()
      .get('/api/v1/sla/policies')
      .set(...auth(reader))
      .expect(200);
    expect(listed.body.items.map((p: { priority: string }) => p.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(listed.body.items[0]).toMatchObject({ priority: 'P1', response_minutes: 60, resolution_minutes: 240 });

    t.setNow(T0);
    const before = await createTicket(t, reader, { priority: 'P4' });
    const admin = t.user(Role.ADMIN);
    await t
      .http()
      .put('/api/v1/sla/policies/P4')
      .set(...auth(admin))
      .send({ response_minutes: 30, resolution_minutes: 20 })
      .expect(400);
    const changed = await t
      .http()
      .put('/api/v1/sla/policies/P4')
      .set(...auth(admin))
      .send({ response_minutes: 120, resolution_minutes: 600 })
      .expect(200);
    expect(changed.body).toMatchObject({ priority: 'P4', response_minutes: 120, resolution_minutes: 600 });
    try {
      const after = await createTicket(t, reader, { priority: 'P4' });
      expect(after.response_due_at).toBe(hours(2).toISOString());
      expect(after.resolution_due_at).toBe(hours(10).toISOString());
      const unchanged = await t
        .http()
        .get(`/api/v1/tickets/${before.id}`)
        .set(...auth(admin))
        .expect(200);
      expect(unchanged.body.response_due_at).toBe(hours(24).toISOString());
    } finally {
      await t
        .http()
        .put('/api/v1/sla/policies/P4')
        .set(...auth(admin))
        .send({ response_minutes: 1440, resolution_minutes: 10080 })
        .expect(200);
    }
  });

  it('shows breaches at read time, before any scanner run', async () => {
    t.setNow(T0);
    const reporter = t.user(Role.END_USER);
    const ticket = await createTicket(t, reporter, { priority: 'P1' });
    t.setNow(hours(2));
    const read = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(reporter))
      .expect(200);
    expect(read.body).toMatchObject({ response_breached: true, resolution_breached: false });
  });

  /** 30 P1 tickets past both targets, scanned by `one` and `another` at once: one SLA_BREACH per ticket and kind. */
  async function expectOneBreachPerKind(one: TestApp, another: TestApp): Promise<void> {
    const reporter = t.user(Role.END_USER);
    t.setNow(T0);
    const tickets = [];
    for (let i = 0; i < 30; i++) tickets.push(await createTicket(t, reporter, { priority: 'P1', tags: ['race'] }));
    const later = hours(5);
    one.setNow(later);
    another.setNow(later);

    const first = one.app.get(SlaBreachScanner);
    const second = another.app.get(SlaBreachScanner);
    const [a, b] = await Promise.all([first.scan(), second.scan()]);
    expect(a + b).toBeGreaterThanOrEqual(30);
    expect(await first.scan()).toBe(0);

    const ids = tickets.map((ticket) => ticket.id);
    const rows: { ticket_id: string; kind: string; user_id: string | null }[] = await t.dataSource.query(
      `SELECT ticket_id, metadata->>'kind' AS kind, user_id FROM ticket_history WHERE change_type = $1 AND ticket_id = ANY($2::uuid[])`,
      [HistoryChangeType.SLA_BREACH, ids],
    );
    expect(rows).toHaveLength(60);
    for (const id of ids) {
      expect(
        rows
          .filter((row) => row.ticket_id === id)
          .map((row) => row.kind)
          .sort(),
      ).toEqual(['resolution', 'response']);
    }
    expect(rows.every((row) => row.user_id === null)).toBe(true);
  }

  it('records exactly one SLA_BREACH per ticket and kind with two scans of one instance at once', async () => {
    await expectOneBreachPerKind(t, t);
  });

  itOnPostgres('a second instance cannot share the in-memory database, and it runs one transaction at a time')(
    'records exactly one SLA_BREACH per ticket and kind with two instances racing',
    async () => {
      if (!other) throw new Error('the second instance needs the suite database on PostgreSQL (TEST_DATABASE_URL)');
      await expectOneBreachPerKind(t, other);
    },
  );

  it('warns once per kind at 80% of a target, before the breach', async () => {
    const reporter = t.user(Role.END_USER);
    t.setNow(T0);
    const ticket = await createTicket(t, reporter, { priority: 'P1' });
    const scanner = t.app.get(SlaBreachScanner);
    const eventsOf = async (): Promise<string[]> =>
      (
        await t.dataSource.query(
          `SELECT type, data->>'kind' AS kind FROM outbox_events WHERE ticket_id = $1 AND type LIKE 'sla.%' ORDER BY seq`,
          [ticket.id],
        )
      ).map((row: { type: string; kind: string }) => `${row.type}:${row.kind}`);

    t.setNow(new Date(T0.getTime() + 47 * 60_000));
    await scanner.scan();
    expect(await eventsOf()).toEqual([]);
    t.setNow(new Date(T0.getTime() + 50 * 60_000)); // 83% of the 1 h response target
    await scanner.scan();
    await scanner.scan();
    expect(await eventsOf()).toEqual(['sla.warning:response']);
    t.setNow(hours(3.5)); // response breached; 87.5% of the 4 h resolution target
    await scanner.scan();
    expect(await eventsOf()).toEqual(['sla.warning:response', 'sla.breached:response', 'sla.warning:resolution']);
    const history = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(t.user(Role.ADMIN)))
      .expect(200);
    expect(history.body.items.map((row: { change_type: string }) => row.change_type)).toEqual([
      'CREATED',
      'SLA_BREACH',
    ]);
  });
});
