import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@ticketing/contracts';
import { WebhookDispatcher } from '../apps/ticket-service/src/modules/notifications/webhooks/webhook-dispatcher';
import { itOnPostgres } from './support/conditions';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

const SECRET = 'receiver-shared-secret-0123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Dispatch only when a test says so. */
const MANUAL_DISPATCH = { WEBHOOK_DISPATCH_INTERVAL_MS: '3600000' };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback; `statuses` are answered in turn, then 200. */
class Receiver {
  readonly requests: Received[] = [];
  statuses: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(this.statuses.shift() ?? 200).end();
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
    const ticket = await createTicket(t, admin);
    receiver.statuses = [500, 503, 500];
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
    await createTicket(t, admin);
    receiver.statuses = Array(8).fill(500);
    const dispatcher = t.app.get(WebhookDispatcher);
    for (let attempt = 1; attempt <= 8; attempt++) {
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

  // On PGlite the claims of the two passes run one after the other; the lease still has to keep the second pass
  // from claiming what the first one is sending outside any transaction.
  it('never sends one attempt twice with two passes of one dispatcher at once', async () => {
    await expectEachSentOnce(t, t);
  });

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
