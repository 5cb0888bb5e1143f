import { Role, TicketEventType } from '@ticketing/contracts';
import { SlaBreachScanner } from '../apps/ticket-service/src/modules/tickets/sla-breach.scanner';
import { itOnPostgres } from './support/conditions';
import type { FeedEvent } from './support/events';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

describe('ticket events (outbox and change feed)', () => {
  let t: TestApp;
  let reader: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    reader = t.user(Role.DEVOPS_ENGINEER);
  });

  afterAll(async () => {
    await t.close();
  });

  afterEach(() => t.setNow(null));

  /** Reads the whole feed from `after`, in pages of `limit`. */
  async function readFeed(after = '0:0', limit = 100): Promise<{ events: FeedEvent[]; cursor: string }> {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const res = await t
        .http()
        .get('/api/v1/events')
        .query({ after: cursor, limit })
        .set(...auth(reader))
        .expect(200);
      events.push(...res.body.items);
      if (res.body.items.length === 0) return { events, cursor };
      cursor = res.body.next_cursor;
    }
  }

  /**
   * The ticket's events once at least `expected` of them are served. On a shared PostgreSQL server, running
   * transactions of other sessions (other suites' databases) hold the feed's horizon back for a moment.
   */
  async function eventsOf(ticketId: string, expected: number): Promise<FeedEvent[]> {
    for (let round = 0; ; round++) {
      const events = (await readFeed()).events.filter((event) => event.ticket_id === ticketId);
      if (events.length >= expected || round === 100) return events;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('writes one envelope per kind of change, with the actor and the change', async () => {
    const admin = t.user(Role.ADMIN);
    const engineer = t.user(Role.DEVOPS_ENGINEER);
    const ticket = await createTicket(t, admin, { priority: 'P3' });
    await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .send({ priority: 'P1', title: 'Disk full on every agent' })
      .expect(200);
    await t
      .http()
      .put(`/api/v1/tickets/${ticket.id}/assign`)
      .set(...auth(admin))
      .send({ assignee_id: engineer.id, notes: 'yours' })
      .expect(200);
    await t
      .http()
      .post(`/api/v1/tickets/${ticket.id}/resolve`)
      .set(...auth(engineer))
      .send({ resolution_notes: 'Freed 40 GB of cache.' })
      .expect(200);
    await t
      .http()
      .delete(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .expect(204);

    const events = await eventsOf(ticket.id, 6);
    expect(events.map((event) => [event.type, event.actor_id])).toEqual([
      [TicketEventType.TICKET_CREATED, admin.id],
      [TicketEventType.TICKET_UPDATED, admin.id],
      [TicketEventType.TICKET_STATUS_CHANGED, admin.id],
      [TicketEventType.TICKET_ASSIGNED, admin.id],
      [TicketEventType.TICKET_STATUS_CHANGED, engineer.id],
      [TicketEventType.TICKET_DELETED, admin.id],
    ]);
    expect(events[0].data).toMatchObject({
      ticket_number: expect.stringMatching(/^TKT-\d{6}$/),
      status: 'NEW',
      priority: 'P3',
      reporter_id: admin.id,
    });
    expect(events[1].data).toEqual({
      changes: { priority: { old: 'P3', new: 'P1' }, title: { old: ticket.title, new: 'Disk full on every agent' } },
    });
    expect(events[2].data).toEqual({ from: 'NEW', to: 'OPEN', notes: 'yours' });
    expect(events[3].data).toEqual({ changes: { assignee_id: { old: null, new: engineer.id } }, notes: 'yours' });
    expect(events[4].data).toEqual({ from: 'OPEN', to: 'RESOLVED', notes: null });
    for (const event of events) {
      expect(event).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        internal: false,
        occurred_at: expect.stringMatching(/Z$/),
      });
    }
  });

  it('emits sla.breached from the scanner as the system', async () => {
    t.setNow(new Date('2026-06-01T08:00:00Z'));
    const ticket = await createTicket(t, t.user(Role.END_USER), { priority: 'P1' });
    t.setNow(new Date('2026-06-01T10:00:00Z'));
    await t.app.get(SlaBreachScanner).scan();
    const breaches = (await eventsOf(ticket.id, 2)).filter((event) => event.type === TicketEventType.SLA_BREACHED);
    expect(breaches).toEqual([expect.objectContaining({ actor_id: null, data: { kind: 'response' } })]);
  });

  it('emits nothing for a refused or rolled-back change', async () => {
    const admin = t.user(Role.ADMIN);
    const ticket = await createTicket(t, admin);
    await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .set('If-Match', '"7"')
      .send({ priority: 'P1' })
      .expect(412);
    await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}/status`)
      .set(...auth(admin))
      .send({ status: 'CLOSED' })
      .expect(200);
    await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}/status`)
      .set(...auth(admin))
      .send({ status: 'OPEN' })
      .expect(409);

    // The history insert fails inside the transaction: the ticket change and its event must both roll back.
    await t.dataSource.query('ALTER TABLE ticket_history RENAME TO ticket_history_offline');
    try {
      await t
        .http()
        .post(`/api/v1/tickets/${ticket.id}/reopen`)
        .set(...auth(admin))
        .send({ reason: 'It happened again today.' })
        .expect(500);
    } finally {
      await t.dataSource.query('ALTER TABLE ticket_history_offline RENAME TO ticket_history');
    }
    const current = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .expect(200);
    expect(current.body.status).toBe('CLOSED');
    expect((await eventsOf(ticket.id, 2)).map((event) => event.type)).toEqual([
      TicketEventType.TICKET_CREATED,
      TicketEventType.TICKET_STATUS_CHANGED,
    ]);
  });

  it('returns every event exactly once across pages while writers are active', async () => {
    const { cursor: start } = await readFeed();
    const writer = t.user(Role.ADMIN);
    const writes = Promise.all(Array.from({ length: 30 }, () => createTicket(t, writer)));
    const seen: FeedEvent[] = [];
    let cursor = start;
    let created: Record<string, any>[] | null = null;
    void writes.then((tickets) => (created = tickets));
    const allSeen = () =>
      created !== null && created.every((ticket) => seen.some((event) => event.ticket_id === ticket.id));
    // Poll in small pages while the writers run, then until every new ticket's event has been served.
    for (let round = 0; !allSeen() && round < 2000; round++) {
      const res = await t
        .http()
        .get('/api/v1/events')
        .query({ after: cursor, limit: 4 })
        .set(...auth(reader))
        .expect(200);
      seen.push(...res.body.items);
      cursor = res.body.next_cursor;
      if (res.body.items.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const tickets = await writes;
    const ids = seen.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const ours = seen.filter((event) => tickets.some((ticket) => ticket.id === event.ticket_id));
    expect(ours.map((event) => event.ticket_id).sort()).toEqual(tickets.map((ticket) => ticket.id).sort());
  });

  it('is for staff only and validates its cursor', async () => {
    await t
      .http()
      .get('/api/v1/events')
      .set(...auth(t.user(Role.END_USER)))
      .expect(403);
    await t
      .http()
      .get('/api/v1/events?after=abc')
      .set(...auth(reader))
      .expect(400);
    await t
      .http()
      .get('/api/v1/events?after=42')
      .set(...auth(reader))
      .expect(400);
    await t
      .http()
      .get('/api/v1/events?limit=0')
      .set(...auth(reader))
      .expect(400);
    await t
      .http()
      .get('/api/v1/events?limit=1001')
      .set(...auth(reader))
      .expect(400);
    const empty = await t
      .http()
      .get('/api/v1/events?after=999999999:999999999')
      .set(...auth(reader))
      .expect(200);
    expect(empty.body).toEqual({ items: [], next_cursor: '999999999:999999999' });
  });

  // PGlite runs one transaction at a time: a second transaction cannot even begin while one is open, so the
  // interleaving below (a late commit of an event with a smaller seq) cannot be staged there.
  itOnPostgres('one transaction at a time, so no transaction can commit late around another')(
    'serves an event of a transaction that commits late, after one that committed first',
    async () => {
      const url = t.database.url;
      if (!url) throw new Error('this test needs the suite database on PostgreSQL (TEST_DATABASE_URL)');
      const { Client } = await import('pg');
      const older = new Client({ connectionString: url });
      const newer = new Client({ connectionString: url });
      await Promise.all([older.connect(), newer.connect()]);
      const insert = `INSERT INTO outbox_events (type, occurred_at, ticket_id) VALUES ('ticket.updated', now(), gen_random_uuid()) RETURNING id`;
      try {
        const { cursor: start } = await readFeed();
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()'); // the older transaction id
        await newer.query('BEGIN');
        const early = await newer.query(insert); // smaller seq, newer transaction
        const late = await older.query(insert); // larger seq, older transaction
        await older.query('COMMIT');
        // The newer transaction is still open: its event must not be served yet, whatever else is served.
        const first = await readFeed(start);
        expect(first.events.map((event) => event.id)).not.toContain(early.rows[0].id);
        await newer.query('COMMIT');
        // Transactions of other sessions on the server can hold the horizon back for a moment: read until
        // both have been served, then check each came exactly once, the older transaction's first.
        const served = first.events.map((event) => event.id);
        let cursor = first.cursor;
        for (let round = 0; round < 100 && !served.includes(early.rows[0].id); round++) {
          const next = await readFeed(cursor);
          served.push(...next.events.map((event) => event.id));
          cursor = next.cursor;
          if (!served.includes(early.rows[0].id)) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(served.filter((id) => id === late.rows[0].id || id === early.rows[0].id)).toEqual([
          late.rows[0].id,
          early.rows[0].id,
        ]);
      } finally {
        await Promise.all([older.end(), newer.end()]);
      }
    },
  );
});
