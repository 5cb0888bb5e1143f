import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@ticketing/contracts';
import type supertest from 'supertest';
import { retryDelaySeconds } from '../apps/ticket-service/src/modules/notifications/webhooks/webhook-signing';
import { filesUnder, logBytes, MiB } from './support/attachment-files';
import { errorAnswerProblems } from './support/error-answer';
import { auth, createTicket } from './support/factories';
import { s3StorageEnv, type S3Server, startS3rver } from './support/s3-server';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * Issue 11, fault 5(e): a dependency other than the database is down or hangs — the virus scanner, the S3 store,
 * a webhook receiver. Uploads fail closed within their dependency's timeout, never hang; webhook deliveries time
 * out, are retried with backoff, and a hanging receiver holds up no other delivery.
 *
 * Already proven elsewhere: scanner unreachable → 503 SCAN_UNAVAILABLE through the API, and every protocol failure
 * of clamd (no reply in time, cut or malformed replies, size limit) at the client level (attachments-scan,
 * clamd-scanner); S3 stopped → 507 for uploads and downloads, nothing kept, everything back after a restart
 * (attachments, storage-drivers, on s3rver and Azurite alike); retries with backoff after 5xx answers, giving up, redelivery (webhooks).
 */

/** A TCP server that accepts connections and never answers (a hung process: the kernel still accepts). */
class SilentServer {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  /** `reading`: take the bytes sent (a process stuck after reading) or leave them unread (a stopped process). */
  constructor(reading: boolean) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
      if (reading) socket.resume();
      else socket.pause();
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function upload(t: TestApp, user: TestUser, ticketId: string, content: Buffer, filename: string): supertest.Test {
  return t
    .http()
    .post(`/api/v1/tickets/${ticketId}/attachments`)
    .set(...auth(user))
    .attach('file', content, filename);
}

/** The answer and how long it took. */
async function timed(request: supertest.Test): Promise<{ res: supertest.Response; ms: number }> {
  const started = Date.now();
  const res = await request;
  return { res, ms: Date.now() - started };
}

async function attachmentRows(t: TestApp, ticketId: string): Promise<number> {
  const [row] = await t.dataSource.query<{ n: number }[]>(
    'SELECT count(*)::int AS n FROM attachments WHERE ticket_id = $1',
    [ticketId],
  );
  return row.n;
}

describe('faults: the virus scanner hangs (issue 11, 5e)', () => {
  const SCAN_TIMEOUT_MS = 1_000;

  describe.each([
    ['reads the stream and never answers', true],
    ['accepts the connection and reads nothing (a stopped process)', false],
  ])('clamd that %s', (_how, reading) => {
    let scanner: SilentServer;
    let t: TestApp;
    let reporter: TestUser;

    beforeAll(async () => {
      scanner = new SilentServer(reading);
      t = await startTestApp({
        VIRUS_SCAN_ENABLED: 'true',
        CLAMAV_HOST: '127.0.0.1',
        CLAMAV_PORT: String(await scanner.listen()),
        CLAMAV_TIMEOUT_MS: String(SCAN_TIMEOUT_MS),
      });
      reporter = t.user(Role.END_USER);
    });

    afterAll(async () => {
      await t?.close();
      await scanner?.close();
    });

    it.each([
      ['a small file', 'deploy.log', 2_000],
      ['a file larger than the socket buffers', 'worker.log', 8 * MiB],
    ])(
      'fails closed on %s within the scan timeout: 503 SCAN_UNAVAILABLE with Retry-After, storing nothing',
      async (_what, filename, size) => {
        const ticket = await createTicket(t, reporter);
        const before = filesUnder(t.config.storage.path);
        const { res, ms } = await timed(upload(t, reporter, ticket.id, logBytes(size), filename));
        expect(errorAnswerProblems(res, 503, 'SCAN_UNAVAILABLE', true)).toEqual([]);
        // Waited for the scanner as long as configured, and not much longer (the upload itself takes a moment).
        expect(ms).toBeGreaterThanOrEqual(SCAN_TIMEOUT_MS);
        expect(ms).toBeLessThan(SCAN_TIMEOUT_MS + 5_000);
        expect(filesUnder(t.config.storage.path)).toEqual(before);
        expect(await attachmentRows(t, ticket.id)).toBe(0);
      },
    );
  });
});

describe('faults: the S3 store is down (issue 11, 5e)', () => {
  const BUCKET = 'ticket-attachments';
  let directory: string;
  let server: S3Server;
  let t: TestApp;
  let reporter: TestUser;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'faults-s3-'));
    server = await startS3rver(directory, 0, BUCKET);
    t = await startTestApp({
      ...s3StorageEnv(BUCKET, server.endpoint),
    });
    reporter = t.user(Role.END_USER);
  });

  afterAll(async () => {
    await t?.close();
    await server?.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('answers uploads and downloads at once with 507 while the store is stopped, and serves again once it is back', async () => {
    const ticket = await createTicket(t, reporter);
    const stored = await upload(t, reporter, ticket.id, logBytes(4_000), 'before.log').expect(201);
    await server.stop();
    try {
      const put = await timed(upload(t, reporter, ticket.id, logBytes(4_000), 'during.log'));
      expect(errorAnswerProblems(put.res, 507, 'INSUFFICIENT_STORAGE', false)).toEqual([]);
      const get = await timed(
        t
          .http()
          .get(`/api/v1/attachments/${stored.body.id}`)
          .set(...auth(reporter)),
      );
      expect(errorAnswerProblems(get.res, 507, 'INSUFFICIENT_STORAGE', false)).toEqual([]);
      // A refused connection is known at once: no retry loop or timeout stands between the client and the answer.
      expect(put.ms).toBeLessThan(3_000);
      expect(get.ms).toBeLessThan(3_000);
      expect(await attachmentRows(t, ticket.id)).toBe(1);
    } finally {
      server = await startS3rver(directory, server.port, BUCKET);
    }
    await upload(t, reporter, ticket.id, logBytes(4_000), 'after.log').expect(201);
  });
});

describe('faults: the S3 store hangs (issue 11, 5e)', () => {
  let store: SilentServer;
  let t: TestApp;
  let reporter: TestUser;

  beforeAll(async () => {
    store = new SilentServer(true);
    t = await startTestApp({
      ...s3StorageEnv('ticket-attachments', `http://127.0.0.1:${await store.listen()}`),
    });
    reporter = t.user(Role.END_USER);
  });

  afterAll(async () => {
    await store?.close();
    await t?.close();
  });

  it('answers an upload with 507 within half a minute, keeping nothing', async () => {
    const ticket = await createTicket(t, reporter);
    const { res, ms } = await timed(upload(t, reporter, ticket.id, logBytes(4_000), 'hung.log').timeout(60_000));
    expect(errorAnswerProblems(res, 507, 'INSUFFICIENT_STORAGE', false)).toEqual([]);
    expect(ms).toBeLessThan(30_000);
    expect(await attachmentRows(t, ticket.id)).toBe(0);
  }, 90_000);
});

/** A webhook receiver on loopback: answers 200, or (`hanging`) keeps every request open without an answer. */
class WebhookReceiver {
  /** The event ids of every request, in arrival order. */
  readonly received: string[] = [];
  hanging = false;
  /** Events whose request is being held open right now. */
  readonly holding = new Set<string>();
  private readonly server: HttpServer;

  constructor() {
    this.server = createHttpServer((req: IncomingMessage, res) => {
      req.resume();
      const eventId = String(req.headers['x-ticket-event-id']);
      this.received.push(eventId);
      if (!this.hanging) {
        res.writeHead(200).end();
        return;
      }
      this.holding.add(eventId);
      res.on('close', () => this.holding.delete(eventId));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  got(eventId: string): boolean {
    return this.received.includes(eventId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('faults: a webhook receiver never answers (issue 11, 5e)', () => {
  const WEBHOOK_TIMEOUT_MS = 6_000;
  let t: TestApp;
  let admin: TestUser;
  const hanging = new WebhookReceiver();
  const healthy = new WebhookReceiver();
  let hangingUrl: string;
  let healthyUrl: string;

  beforeAll(async () => {
    hanging.hanging = true;
    hangingUrl = await hanging.start();
    healthyUrl = await healthy.start();
    // On PostgreSQL a commit wakes the dispatcher; on PGlite it polls at this interval.
    t = await startTestApp({
      WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
      WEBHOOK_DISPATCH_INTERVAL_MS: '200',
    });
    admin = t.user(Role.ADMIN);
  });

  afterAll(async () => {
    // Receivers first: a send still held open then ends at once instead of at its timeout.
    await hanging.stop();
    await healthy.stop();
    await t?.close();
  });

  async function subscribe(url: string): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/webhooks')
      .set(...auth(admin))
      .send({ url, events: ['ticket.created'], secret: 'receiver-shared-secret-0123' })
      .expect(201);
    return res.body.id as string;
  }

  async function deliveryOf(hook: string, ticketId: string): Promise<Record<string, any>> {
    const log = await t
      .http()
      .get(`/api/v1/webhooks/${hook}/deliveries`)
      .set(...auth(admin))
      .expect(200);
    const [event] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM outbox_events WHERE ticket_id = $1 AND type = 'ticket.created'`,
      [ticketId],
    );
    return log.body.items.find((item: { event_id: string }) => item.event_id === event.id);
  }

  it('times the send out, retries it with backoff, and delivers to the other receivers meanwhile', async () => {
    const slowHook = await subscribe(hangingUrl);
    await subscribe(healthyUrl);

    const first = await createTicket(t, admin);
    const [firstEvent] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM outbox_events WHERE ticket_id = $1`,
      [first.id],
    );
    await waitFor(() => hanging.got(firstEvent.id) && healthy.got(firstEvent.id), 'the first event at both receivers');

    // While the hanging receiver still holds the first send open, the next event reaches the healthy one.
    const second = await createTicket(t, admin);
    const [secondEvent] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM outbox_events WHERE ticket_id = $1`,
      [second.id],
    );
    await waitFor(() => healthy.got(secondEvent.id), 'the second event at the healthy receiver', WEBHOOK_TIMEOUT_MS);
    expect(hanging.holding.has(firstEvent.id)).toBe(true);
    expect((await deliveryOf(slowHook, first.id)).attempt_log).toEqual([]);

    // The hanging send is cut at the timeout and logged as a failed attempt, due again after the backoff.
    await waitFor(
      async () => (await deliveryOf(slowHook, first.id)).attempt_log.length === 1,
      'the timed-out attempt in the log',
      WEBHOOK_TIMEOUT_MS + 10_000,
    );
    const failed = await deliveryOf(slowHook, first.id);
    const [attempt] = failed.attempt_log;
    expect(failed.state).toBe('PENDING');
    expect(attempt).toMatchObject({ attempt: 1, response_status: null, error: 'timed out' });
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(WEBHOOK_TIMEOUT_MS - 50);
    expect(attempt.duration_ms).toBeLessThan(WEBHOOK_TIMEOUT_MS + 5_000);
    const backoffMs = Date.parse(failed.next_attempt_at) - Date.parse(attempt.attempted_at);
    expect(backoffMs).toBeGreaterThanOrEqual(attempt.duration_ms + retryDelaySeconds(1) * 1000 - 50);

    // The receiver answers again: the retry goes out once the backoff has passed, and succeeds.
    hanging.hanging = false;
    await waitFor(
      async () => (await deliveryOf(slowHook, first.id)).state === 'DELIVERED',
      'the retried delivery',
      WEBHOOK_TIMEOUT_MS + 30_000,
    );
    const delivered = await deliveryOf(slowHook, first.id);
    expect(delivered.attempt_log.map((entry: { response_status: number | null }) => entry.response_status)).toEqual([
      null,
      200,
    ]);
    expect(Date.parse(delivered.attempt_log[1].attempted_at)).toBeGreaterThanOrEqual(
      Date.parse(failed.next_attempt_at),
    );
  }, 90_000);
});
