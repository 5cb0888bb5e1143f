import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@ticketing/contracts';
import { LISTENER_APPLICATION_NAME } from '../apps/ticket-service/src/modules/notifications/webhooks/due-delivery-listener';
import { WebhookDispatcher } from '../apps/ticket-service/src/modules/notifications/webhooks/webhook-dispatcher';
import { itOnPostgres } from './support/conditions';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

const SECRET = 'receiver-shared-secret-0123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * No periodic pass within a test: deliveries go out when a test runs a pass, or (on PostgreSQL) when a commit
 * notifies the dispatcher.
 */
const MANUAL_DISPATCH = { WEBHOOK_DISPATCH_INTERVAL_MS: '3600000' };
/** LISTEN/NOTIFY is a PostgreSQL feature the embedded server cannot offer across connections. */
const NOTIFY_ON_POSTGRES_ONLY =
  'every connection to pglite-socket shares one session, so a notification never reaches a listening connection; the dispatcher polls there';

interface Received {
  /** Path and query string: tells the subscriptions of one receiver apart. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** A real HTTP receiver on loopback; `statuses` are answered in turn, then `answer` decides (default 200). */
class Receiver {
  readonly requests: Received[] = [];
  statuses: number[] = [];
  answer: (request: Omit<Received, 'status'>) => number = () => 200;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        const status = this.statuses.shift() ?? this.answer(request);
        this.requests.push({ ...request, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  eventIds(): string[] {
    return this.requests.map((request) => String(request.headers['x-ticket-event-id']));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Waits for `condition`, checking every 20 ms; false after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function subscribe(t: TestApp, admin: TestUser, url: string, events: string[]): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/webhooks')
    .set(...auth(admin))
    .send({ url, events, secret: SECRET })
    .expect(201);
  return res.body.id as string;
}

describe('webhooks', () => {
  let t: TestApp;
  let admin: TestUser;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await startTestApp(MANUAL_DISPATCH);
    admin = t.user(Role.ADMIN);
    receiver = new Receiver();
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.statuses = [];
    receiver.answer = () => 200;
  });

  afterEach(() => t.setNow(null));

  /** Each test gets its own subscription; older ones are removed so their deliveries do not interfere. */
  async function freshSubscription(events: string[]): Promise<string> {
    const listed = await t
      .http()
      .get('/api/v1/webhooks')
      .set(...auth(admin))
      .expect(200);
    for (const hook of listed.body.items)
      await t
        .http()
        .delete(`/api/v1/webhooks/${hook.id}`)
        .set(...auth(admin))
        .expect(204);
    return subscribe(t, admin, receiver.url, events);
  }

  it('manages subscriptions (ADMIN only) and never returns the secret', async () => {
    const created = await t
      .http()
      .post('/api/v1/webhooks')
      .set(...auth(admin))
      .send({ url: receiver.url, events: ['ticket.created'], secret: SECRET })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      url: receiver.url,
      events: ['ticket.created'],
      active: true,
      created_at: expect.stringMatching(/Z$/),
    });
    await t
      .http()
      .get(`/api/v1/webhooks/${created.body.id}`)
      .set(...auth(admin))
      .expect(200);
    for (const role of [Role.END_USER, Role.DEVOPS_ENGINEER, Role.TEAM_LEAD, Role.MANAGER]) {
      await t
        .http()
        .get('/api/v1/webhooks')
        .set(...auth(t.user(role)))
        .expect(403);
    }
    await t
      .http()
      .delete(`/api/v1/webhooks/${created.body.id}`)
      .set(...auth(admin))
      .expect(204);
    await t
      .http()
      .get(`/api/v1/webhooks/${created.body.id}`)
      .set(...auth(admin))
      .expect(404);
  });

  it.each([
    [{ url: 'ftp://example.com/x', events: [], secret: SECRET }, 'url'],
    [{ url: 'not a url', events: [], secret: SECRET }, 'url'],
    [{ url: 'https://user:pw@example.com/x', events: [], secret: SECRET }, 'url'],
    [{ url: 'https://example.com/x', events: ['ticket.exploded'], secret: SECRET }, 'events'],
    [{ url: 'https://example.com/x', events: [], secret: 'too-short' }, 'secret'],
  ])('refuses a bad subscription (case %#) with 400 on the field', async (body, field) => {
    const res = await t
      .http()
      .post('/api/v1/webhooks')
      .set(...auth(admin))
      .send(body)
      .expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('delivers subscribed events signed and verifiable, and only those', async () => {
    await freshSubscription(['ticket.created']);
    const ticket = await createTicket(t, admin);
    await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .send({ priority: 'P1' })
      .expect(200);
    await t.app.get(WebhookDispatcher).runOnce();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    const envelope = JSON.parse(request.body);
    expect(envelope).toMatchObject({
      type: 'ticket.created',
      ticket_id: ticket.id,
      actor_id: admin.id,
      internal: false,
    });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-ticket-event-id']).toBe(envelope.id);
    expect(request.headers['x-ticket-event-type']).toBe('ticket.created');
    const timestamp = String(request.headers['x-ticket-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex');
    expect(request.headers['x-ticket-signature']).toBe(`sha256=${expected}`);
  });

  it('retries a failing receiver with backoff and logs every attempt', async () => {
    const hook = await freshSubscription([]);
    const T0 = new Date(Date.now() + 60_000);
    t.setNow(T0);
    // Set before the ticket: on PostgreSQL its commit may wake the dispatcher at once.
    receiver.statuses = [500, 503, 500];
    const ticket = await createTicket(t, admin);
    const dispatcher = t.app.get(WebhookDispatcher);
    const at = (seconds: number) => t.setNow(new Date(T0.getTime() + seconds * 1000));

    await dispatcher.runOnce(); // attempt 1 fails
    expect(await dispatcher.runOnce()).toBe(0); // backing off
    at(5);
    await dispatcher.runOnce(); // attempt 2 fails (after 5 s)
    at(14);
    expect(await dispatcher.runOnce()).toBe(0); // next one is due 10 s after attempt 2
    at(15);
    await dispatcher.runOnce(); // attempt 3 fails
    at(35);
    await dispatcher.runOnce(); // attempt 4 succeeds
    expect(receiver.requests).toHaveLength(4);
    expect(new Set(receiver.eventIds()).size).toBe(1);

    const log = await t
      .http()
      .get(`/api/v1/webhooks/${hook}/deliveries`)
      .set(...auth(admin))
      .expect(200);
    const delivery = log.body.items.find((item: { event_type: string }) => item.event_type === 'ticket.created');
    expect(delivery).toMatchObject({ state: 'DELIVERED', attempts: 4 });
    expect(delivery.attempt_log.map((attempt: { response_status: number }) => attempt.response_status)).toEqual([
      500, 503, 500, 200,
    ]);
    // Every attempt carried the same envelope: the ticket.created event of this ticket.
    expect(receiver.requests.map((request) => JSON.parse(request.body))).toEqual(
      Array(4).fill(expect.objectContaining({ type: 'ticket.created', ticket_id: ticket.id, actor_id: admin.id })),
    );
  });

  it('gives up after the last attempt and delivers again on request', async () => {
    const hook = await freshSubscription(['ticket.created']);
    const T0 = new Date(Date.now() + 120_000);
    t.setNow(T0);
    receiver.statuses = Array(8).fill(500);
    await createTicket(t, admin);
    const dispatcher = t.app.get(WebhookDispatcher);
    // Attempt 1 at T0, made by this pass or by the one the commit woke (which this call waits for): the clock
    // moves on only once no attempt is in flight, so no lease expires under a send.
    await dispatcher.runOnce();
    for (let attempt = 2; attempt <= 8; attempt++) {
      t.setNow(new Date(T0.getTime() + attempt * 3_600_000));
      await dispatcher.runOnce();
    }
    const log = await t
      .http()
      .get(`/api/v1/webhooks/${hook}/deliveries`)
      .set(...auth(admin))
      .expect(200);
    expect(log.body.items[0]).toMatchObject({ state: 'DEAD', attempts: 8 });

    const again = await t
      .http()
      .post(`/api/v1/webhooks/${hook}/deliveries/${log.body.items[0].id}/redeliver`)
      .set(...auth(admin))
      .expect(200);
    expect(again.body.state).toBe('PENDING');
    await dispatcher.runOnce();
    const after = await t
      .http()
      .get(`/api/v1/webhooks/${hook}/deliveries`)
      .set(...auth(admin))
      .expect(200);
    expect(after.body.items[0]).toMatchObject({ state: 'DELIVERED', attempts: 9 });
    expect(receiver.requests).toHaveLength(9);
  });

  /** 30 due deliveries, dispatched by `one` and `another` at once: each is sent exactly once. */
  async function expectEachSentOnce(one: TestApp, another: TestApp): Promise<void> {
    await freshSubscription(['ticket.created']);
    for (let i = 0; i < 30; i++) await createTicket(t, admin);
    await Promise.all([one.app.get(WebhookDispatcher).runOnce(), another.app.get(WebhookDispatcher).runOnce()]);
    expect(receiver.requests).toHaveLength(30);
    expect(new Set(receiver.eventIds()).size).toBe(30);
  }

  /**
   * 120 deliveries (40 tickets, three subscriptions on one receiver told apart by their query string) whose first
   * attempt fails for about half, dispatched by `one` and `another` while the tickets are created (on PostgreSQL
   * every commit notifies both) and then together, before and after the retries are due: every delivery is
   * delivered once and its log shows exactly the attempts the receiver saw, numbered 1…n, with their statuses.
   */
  async function expectEveryAttemptLoggedOnce(one: TestApp, another: TestApp): Promise<void> {
    const hooks = [await freshSubscription(['ticket.created'])];
    for (const copy of [1, 2])
      hooks.push(await subscribe(t, admin, `${receiver.url}?copy=${copy}`, ['ticket.created']));
    const paths = ['/hook', '/hook?copy=1', '/hook?copy=2'];
    const keyOf = (path: string, eventId: unknown) => `${path} ${String(eventId)}`;
    const answered = new Set<string>();
    receiver.answer = ({ path, headers }) => {
      const key = keyOf(path, headers['x-ticket-event-id']);
      const first = !answered.has(key);
      answered.add(key);
      return first && parseInt(key.slice(-1), 16) % 2 === 0 ? 503 : 200;
    };
    for (let i = 0; i < 40; i++) await createTicket(t, admin);
    const bothPasses = () =>
      Promise.all([one.app.get(WebhookDispatcher).runOnce(), another.app.get(WebhookDispatcher).runOnce()]);
    await bothPasses();
    const later = new Date(Date.now() + 3_600_000);
    one.setNow(later);
    another.setNow(later);
    await bothPasses();

    const statusesSent = new Map<string, number[]>();
    for (const request of receiver.requests) {
      const key = keyOf(request.path, request.headers['x-ticket-event-id']);
      statusesSent.set(key, [...(statusesSent.get(key) ?? []), request.status]);
    }
    let logged = 0;
    for (const [index, hook] of hooks.entries()) {
      const log = await t
        .http()
        .get(`/api/v1/webhooks/${hook}/deliveries`)
        .query({ page_size: 100 })
        .set(...auth(admin))
        .expect(200);
      expect(log.body.items).toHaveLength(40);
      for (const delivery of log.body.items) {
        const statuses = statusesSent.get(keyOf(paths[index], delivery.event_id)) ?? [];
        expect(statuses.filter((status) => status === 200)).toEqual([200]);
        expect(delivery).toMatchObject({ state: 'DELIVERED', attempts: statuses.length });
        expect(delivery.attempt_log.map((attempt: { attempt: number }) => attempt.attempt)).toEqual(
          statuses.map((_, i) => i + 1),
        );
        expect(delivery.attempt_log.map((attempt: { response_status: number }) => attempt.response_status)).toEqual(
          statuses,
        );
        logged += delivery.attempt_log.length;
      }
    }
    // No request went out that the log does not show.
    expect(logged).toBe(receiver.requests.length);
  }

  // On PGlite the claims of the two passes run one after the other; the lease still has to keep the second pass
  // from claiming what the first one is sending outside any transaction.
  it('never sends one attempt twice with two passes of one dispatcher at once', async () => {
    await expectEachSentOnce(t, t);
  });

  it('logs every attempt exactly once with sends in flight and outcomes recorded in batches', async () => {
    await expectEveryAttemptLoggedOnce(t, t);
  });

  itOnPostgres(NOTIFY_ON_POSTGRES_ONLY)(
    'delivers as soon as the change commits, without waiting for the periodic pass',
    async () => {
      await freshSubscription(['ticket.created']);
      const ticket = await createTicket(t, admin);
      // The periodic pass is an hour away: only the notification of the commit can start a pass.
      expect(await until(() => receiver.requests.length === 1, 10_000)).toBe(true);
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ type: 'ticket.created', ticket_id: ticket.id });
    },
  );

  itOnPostgres(NOTIFY_ON_POSTGRES_ONLY)('listens again after its database session is killed', async () => {
    const listeners = () =>
      t.dataSource.query<{ pid: number; query: string }[]>(
        `SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
        [LISTENER_APPLICATION_NAME],
      );
    const [killed] = await listeners();
    expect(killed).toBeDefined();
    await t.dataSource.query('SELECT pg_terminate_backend($1)', [killed.pid]);
    const listeningAgain = async () =>
      (await listeners()).some((session) => session.pid !== killed.pid && session.query.startsWith('LISTEN'));
    expect(await until(listeningAgain, 10_000)).toBe(true);

    await freshSubscription(['ticket.created']);
    const ticket = await createTicket(t, admin);
    expect(await until(() => receiver.requests.length === 1, 10_000)).toBe(true);
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ type: 'ticket.created', ticket_id: ticket.id });
  });

  // The tests with a second instance come last: @Transactional() finds its transaction host through a static of
  // @nestjs-cls/transactional, which the app started last takes over, so the suite's app cannot write once the
  // second one has closed ("Driver not Connected").
  itOnPostgres('a second instance cannot share the in-memory database')(
    'never sends one attempt twice with two dispatchers racing',
    async () => {
      const url = t.database.url;
      if (!url) throw new Error('the second instance needs the suite database on PostgreSQL (TEST_DATABASE_URL)');
      const other = await startTestApp({ ...MANUAL_DISPATCH, DATABASE_URL: url, MIGRATIONS_RUN: 'false' });
      try {
        await expectEachSentOnce(t, other);
      } finally {
        await other.close();
      }
    },
  );

  itOnPostgres('a second instance cannot share the in-memory database')(
    'logs every attempt exactly once with two dispatchers recording in batches',
    async () => {
      const url = t.database.url;
      if (!url) throw new Error('the second instance needs the suite database on PostgreSQL (TEST_DATABASE_URL)');
      const other = await startTestApp({ ...MANUAL_DISPATCH, DATABASE_URL: url, MIGRATIONS_RUN: 'false' });
      try {
        await expectEveryAttemptLoggedOnce(t, other);
      } finally {
        other.setNow(null);
        await other.close();
      }
    },
  );
});

describe('webhooks across a restart', () => {
  it('delivers after a restart what was committed but not yet sent', async () => {
    const receiver = new Receiver();
    await receiver.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'ticket-restart-'));
    const first = await startTestApp({ ...MANUAL_DISPATCH, PGLITE_DATA_DIR: join(dataDir, 'db') });
    const admin = first.user(Role.ADMIN);
    const env: Record<string, string> = first.database.url
      ? { DATABASE_URL: first.database.url }
      : { PGLITE_DATA_DIR: join(dataDir, 'db') };
    let second: TestApp | null = null;
    try {
      await subscribe(first, admin, receiver.url, ['ticket.created']);
      const ticket = await createTicket(first, admin);
      // The first instance stops before any dispatch: the event is only in the outbox.
      await first.app.close();
      second = await startTestApp({ ...MANUAL_DISPATCH, ...env });
      await second.app.get(WebhookDispatcher).runOnce();
      expect(receiver.requests).toHaveLength(1);
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ type: 'ticket.created', ticket_id: ticket.id });
    } finally {
      await second?.close();
      await first.database.drop();
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('webhooks with notifications disabled', () => {
  it('records deliveries but sends nothing', async () => {
    const receiver = new Receiver();
    await receiver.start();
    let t: TestApp | null = null;
    try {
      t = await startTestApp({ NOTIFICATIONS_ENABLED: 'false', WEBHOOK_DISPATCH_INTERVAL_MS: '50' });
      const admin = t.user(Role.ADMIN);
      const hook = await subscribe(t, admin, receiver.url, ['ticket.created']);
      await createTicket(t, admin);
      // Ten dispatcher periods: an enabled dispatcher would have sent by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.requests).toHaveLength(0);
      const log = await t
        .http()
        .get(`/api/v1/webhooks/${hook}/deliveries`)
        .set(...auth(admin))
        .expect(200);
      expect(log.body.items).toEqual([
        expect.objectContaining({ state: 'PENDING', attempts: 0, event_type: 'ticket.created' }),
      ]);
    } finally {
      await t?.close();
      await receiver.stop();
    }
  });
});
