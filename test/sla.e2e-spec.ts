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

  /** The stored versions (the ETags) of `ids`, in that order. */
  async function versionsOf(ids: string[]): Promise<number[]> {
    const rows: { id: string; version: number }[] = await t.dataSource.query(
      `SELECT id, version FROM tickets WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row.version]));
    return ids.map((id) => byId.get(id) ?? Number.NaN);
  }

  /** `sla.*` events of `ids` as `ticket:type:kind`, by ticket id and then in feed order, with their actor and time. */
  async function slaEventsOf(ids: string[]): Promise<{ event: string; actor_id: string | null; occurred_at: Date }[]> {
    return t.dataSource.query(
      `SELECT ticket_id || ':' || type || ':' || (data->>'kind') AS event, actor_id, occurred_at
       FROM outbox_events WHERE ticket_id = ANY($1::uuid[]) AND type LIKE 'sla.%' ORDER BY ticket_id, seq`,
      [ids],
    );
  }

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
    // Recorded by one update per ticket, with one event per kind.
    expect(await versionsOf(ids)).toEqual(ids.map(() => 2));
    const events: { ticket_id: string; kind: string }[] = await t.dataSource.query(
      `SELECT ticket_id, data->>'kind' AS kind FROM outbox_events WHERE type = 'sla.breached' AND ticket_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(events).toHaveLength(60);
    expect(new Set(events.map((event) => `${event.ticket_id}:${event.kind}`)).size).toBe(60);
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

  it('records a burst of breaches in one pass: one history row and one event per ticket and kind, one new version', async () => {
    const reporter = t.user(Role.END_USER);
    const admin = t.user(Role.ADMIN);
    const scanner = t.app.get(SlaBreachScanner);
    t.setNow(hours(5));
    await scanner.scan(); // what earlier tests left due, so that the pass below counts only these tickets
    t.setNow(T0);
    const due: Record<string, any>[] = [];
    for (let i = 0; i < 250; i++) due.push(await createTicket(t, reporter, { priority: 'P1', tags: ['burst'] }));
    t.setNow(hours(4.5));
    const notYetDue = await createTicket(t, reporter, { priority: 'P1', tags: ['burst'] });
    t.setNow(hours(5));

    expect(await scanner.scan()).toBe(250);

    const ids = due.map((ticket) => ticket.id as string);
    const history: {
      ticket_id: string;
      change_type: string;
      field_name: null;
      old_value: null;
      new_value: null;
      user_id: null;
      metadata: object;
    }[] = await t.dataSource.query(
      `SELECT ticket_id, change_type, field_name, old_value, new_value, user_id, metadata FROM ticket_history
         WHERE ticket_id = ANY($1::uuid[]) AND change_type <> $2 ORDER BY ticket_id, seq`,
      [[...ids, notYetDue.id], HistoryChangeType.CREATED],
    );
    // Tickets in id order (the scanner's order among them is its own), each ticket's rows in insertion order.
    const byId = [...ids].sort();
    expect(history).toEqual(
      byId.flatMap((id) =>
        ['response', 'resolution'].map((kind) => ({
          ticket_id: id,
          change_type: HistoryChangeType.SLA_BREACH,
          field_name: null,
          old_value: null,
          new_value: null,
          user_id: null,
          metadata: { kind },
        })),
      ),
    );
    const events = await slaEventsOf([...ids, notYetDue.id]);
    expect(events.map((row) => row.event)).toEqual(
      byId.flatMap((id) => [`${id}:sla.breached:response`, `${id}:sla.breached:resolution`]),
    );
    expect(events.every((row) => row.actor_id === null && row.occurred_at.getTime() === hours(5).getTime())).toBe(true);

    expect(await versionsOf([...ids, notYetDue.id])).toEqual([...ids.map(() => 2), 1]);
    for (const ticket of [due[0], due[249], notYetDue]) {
      const read = await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .expect(200);
      const recorded = ticket !== notYetDue;
      expect(read.headers.etag).toBe(recorded ? '"2"' : '"1"');
      expect(read.body).toMatchObject({ version: recorded ? 2 : 1, response_breached: recorded });
    }
    expect(await scanner.scan()).toBe(0);
  });

  it('drains a burst larger than a batch with concurrent transactions, still once per ticket and kind', async () => {
    const scanner = t.app.get(SlaBreachScanner);
    t.setNow(hours(5));
    await scanner.scan(); // what earlier tests left due, so that the pass below counts only these tickets
    // Seeded in SQL: thousands of tickets through the API would take most of a minute on PGlite.
    const seeded: { id: string }[] = await t.dataSource.query(
      `INSERT INTO tickets (title, description, category, priority, reporter_id, created_at, updated_at,
                            resolution_clock_started_at, response_due_at, resolution_due_at)
       SELECT 'Seeded burst ' || i, 'Past both targets.', 'INCIDENT', 'P1', $1, $2, $2, $2,
              $2::timestamptz + interval '1 hour', $2::timestamptz + interval '4 hours'
       FROM generate_series(1, 2500) AS i
       RETURNING id`,
      [t.user(Role.END_USER).id, T0],
    );
    const ids = seeded.map((row) => row.id);

    expect(await scanner.scan()).toBe(2500);

    const recorded: { ticket_id: string; kinds: string[]; events: string[] }[] = await t.dataSource.query(
      `SELECT ticket_id, array_agg(h.metadata->>'kind' ORDER BY h.seq) AS kinds,
              (SELECT array_agg(e.data->>'kind' ORDER BY e.seq) FROM outbox_events e
               WHERE e.ticket_id = h.ticket_id AND e.type = 'sla.breached') AS events
       FROM ticket_history h WHERE h.ticket_id = ANY($1::uuid[]) AND h.change_type = $2 GROUP BY h.ticket_id`,
      [ids, HistoryChangeType.SLA_BREACH],
    );
    expect(recorded).toHaveLength(2500);
    for (const ticket of recorded) {
      expect(ticket.kinds).toEqual(['response', 'resolution']);
      expect(ticket.events).toEqual(['response', 'resolution']);
    }
    expect(new Set(await versionsOf(ids))).toEqual(new Set([2]));
  });

  it('ends a burst after the batch under way when the app is stopping, and leaves the rest to the next pass', async () => {
    const scanner = t.app.get(SlaBreachScanner);
    t.setNow(hours(5));
    await scanner.scan(); // what earlier tests left due
    await t.dataSource.query(
      `INSERT INTO tickets (title, description, category, priority, reporter_id, created_at, updated_at,
                            resolution_clock_started_at, response_due_at, resolution_due_at)
       SELECT 'Seeded burst ' || i, 'Past both targets.', 'INCIDENT', 'P1', $1, $2, $2, $2,
              $2::timestamptz + interval '1 hour', $2::timestamptz + interval '4 hours'
       FROM generate_series(1, 1500) AS i`,
      [t.user(Role.END_USER).id, T0],
    );

    // One batch (1,000 tickets) and no more: the pass was asked to stop before it began.
    expect(await scanner.scan(AbortSignal.abort())).toBe(1000);
    expect(await scanner.scan()).toBe(500);
  });

  it('records a late answer and a late resolution as breaches, like unanswered ones', async () => {
    const reporter = t.user(Role.END_USER);
    const admin = t.user(Role.ADMIN);
    t.setNow(T0);
    const ticket = await createTicket(t, reporter, { priority: 'P1' });
    t.setNow(hours(2)); // an hour after the response target, before any scan
    await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}/status`)
      .set(...auth(admin))
      .send({ status: 'IN_PROGRESS' })
      .expect(200);
    t.setNow(hours(5)); // an hour after the resolution target
    await t
      .http()
      .post(`/api/v1/tickets/${ticket.id}/resolve`)
      .set(...auth(admin))
      .send({ resolution_notes: 'Freed disk space on the build agent.' })
      .expect(200);
    t.setNow(hours(6));
    const before = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .expect(200);
    expect(before.body).toMatchObject({
      first_response_at: hours(2).toISOString(),
      resolved_at: hours(5).toISOString(),
      response_breached: true,
      resolution_breached: true,
    });

    const scanner = t.app.get(SlaBreachScanner);
    expect(await scanner.scan()).toBeGreaterThanOrEqual(1);
    expect(await scanner.scan()).toBe(0);

    expect((await slaEventsOf([ticket.id])).map((row) => row.event)).toEqual([
      `${ticket.id}:sla.breached:response`,
      `${ticket.id}:sla.breached:resolution`,
    ]);
    const after = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(admin))
      .expect(200);
    expect(
      after.body.items
        .filter((row: { change_type: string }) => row.change_type === 'SLA_BREACH')
        .map((row: { metadata: { kind: string } }) => row.metadata.kind),
    ).toEqual(['response', 'resolution']);
    const read = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .expect(200);
    expect(read.headers.etag).toBe(`"${before.body.version + 1}"`);
    expect(read.body).toMatchObject({ response_breached: true, resolution_breached: true });
  });

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
