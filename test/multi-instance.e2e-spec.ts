import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HistoryChangeType, Role } from '@ticketing/contracts';
import { Client } from 'pg';
import type supertest from 'supertest';
import { mintAccessToken } from '../apps/ticket-service/src/common/auth/access-token';
import { parseConfig } from '../apps/ticket-service/src/config/app-config';
import { describeWithRedis, itOnPostgres, ON_POSTGRES } from './support/conditions';
import { ticketBody } from './support/factories';
import { connectTestRedis, deleteKeysUnder, TEST_REDIS_URL, type TestRedis, uniqueKeyPrefix } from './support/redis';
import { type ServiceProcess, startServiceProcess } from './support/service-process';
import { TEST_JWT_SECRET } from './support/test-app';
import { waitFor } from './support/wait-for';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * Two instances of the built service, each a process of its own, on one PostgreSQL database: they must behave
 * as one service (issue 11 §4).
 */
const itOnPostgresOnly = itOnPostgres('a second instance cannot share the in-memory database');
const TICKETS = '/api/v1/tickets';
const AUTH = parseConfig({ JWT_SECRET_KEY: TEST_JWT_SECRET }).auth;

interface User {
  id: string;
  header: [string, string];
}

/** A user with a fresh id and a token both instances accept. */
function user(role: Role): User {
  const id = crypto.randomUUID();
  return { id, header: ['Authorization', `Bearer ${mintAccessToken(AUTH, { role, sub: id })}`] };
}

/** Passes of a periodic job an instance finished without error (its `scheduled_job_runs_total`). */
async function jobRuns(instance: ServiceProcess, job: string): Promise<number> {
  const metrics = await instance.http().get('/metrics').expect(200);
  const line = new RegExp(`^scheduled_job_runs_total\\{job="${job}",outcome="ok"\\} (\\d+)$`, 'm').exec(metrics.text);
  return Number(line?.[1] ?? 0);
}

/**
 * Waits until every instance has finished `passes` more passes of `job`: whatever they would do twice, they had
 * the chance to.
 */
async function morePasses(instances: ServiceProcess[], job: string, passes: number): Promise<void> {
  const before = await Promise.all(instances.map((instance) => jobRuns(instance, job)));
  await waitFor(
    async () =>
      (await Promise.all(instances.map((instance) => jobRuns(instance, job)))).every(
        (runs, i) => runs >= before[i] + passes,
      ),
    `${passes} more passes of ${job} on every instance`,
    60_000,
  );
}

async function createTicketOn(instance: ServiceProcess, reporter: User, overrides: Record<string, unknown> = {}) {
  const res = await instance
    .http()
    .post(TICKETS)
    .set(...reporter.header)
    .send(ticketBody(overrides))
    .expect(201);
  return res.body as { id: string; title: string };
}

type FeedEvent = { id: string; ticket_id: string } & Record<string, unknown>;

/** The whole change feed as `reader` sees it from `instance`, page by page. */
async function feedFrom(instance: ServiceProcess, reader: User): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  for (let cursor = '0:0'; ;) {
    const page = await instance
      .http()
      .get('/api/v1/events')
      .query({ after: cursor, limit: 1000 })
      .set(...reader.header)
      .expect(200);
    if (page.body.items.length === 0) return events;
    events.push(...page.body.items);
    cursor = page.body.next_cursor;
  }
}

/** Counts webhook requests by subscription path and event id; always answers 200. */
class Receiver {
  readonly deliveries = new Map<string, number>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const key = `${req.url} ${String(req.headers['x-ticket-event-id'])}`;
        this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('several instances behave as one', () => {
  let database: TestDatabase | null = null;
  let sql: Client;

  beforeAll(async () => {
    if (!ON_POSTGRES) return;
    database = await createTestDatabase();
    // One instance started and stopped migrates the database: the pairs below start on the finished schema
    // (MIGRATIONS_RUN=false) rather than race to migrate it.
    const migrating = await startServiceProcess('migrate', { ...database.env, SLA_ENABLED: 'false' });
    await migrating.stop();
    sql = new Client({ connectionString: database.url! });
    await sql.connect();
  });

  afterAll(async () => {
    if (!database) return;
    await sql.end();
    await database.drop();
  });

  describeWithRedis('with REDIS_URL: one rate limit for both', () => {
    const prefix = uniqueKeyPrefix();
    const limit = 10;
    let redis: TestRedis;
    const instances: ServiceProcess[] = [];

    beforeAll(async () => {
      redis = await connectTestRedis();
      if (!database) return;
      const env = {
        ...database.env,
        MIGRATIONS_RUN: 'false',
        RATE_LIMIT_PER_MINUTE: String(limit),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
      };
      // One after the other: whatever started is stopped in afterAll, even when the other fails to.
      for (const name of ['a', 'b']) instances.push(await startServiceProcess(name, env));
    });

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await deleteKeysUnder(redis, prefix);
      await redis.close();
    });

    itOnPostgresOnly('counts requests spread over both instances against one limit', async () => {
      const [a, b] = instances;
      const caller = user(Role.DEVOPS_ENGINEER);
      const answers: supertest.Response[] = [];
      for (let i = 0; i < limit + 4; i++) {
        answers.push(
          await (i % 2 === 0 ? a : b)
            .http()
            .get(TICKETS)
            .set(...caller.header),
        );
      }
      expect(answers.map((res) => res.status)).toEqual([...Array(limit).fill(200), 429, 429, 429, 429]);
      expect(answers.slice(0, limit).map((res) => Number(res.headers['ratelimit-remaining']))).toEqual(
        Array.from({ length: limit }, (_, i) => limit - 1 - i),
      );
      for (const refused of answers.slice(limit)) {
        expect(refused.body).toEqual({
          detail: expect.any(String),
          error_code: 'RATE_LIMITED',
          request_id: refused.headers['x-request-id'],
        });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(await redis.get(`${prefix}rate-limit:user:${caller.id}`)).toBe(String(limit + 4));

      // At once: still exactly the limit, whichever instance each request reaches.
      const burst = user(Role.DEVOPS_ENGINEER);
      const concurrent = await Promise.all(
        Array.from({ length: 2 * limit }, (_, i) =>
          (i % 2 === 0 ? a : b)
            .http()
            .get(TICKETS)
            .set(...burst.header),
        ),
      );
      expect(concurrent.filter((res) => res.status === 200)).toHaveLength(limit);
      expect(concurrent.filter((res) => res.status === 429)).toHaveLength(limit);
    });
  });

  describe('shared work', () => {
    const instances: ServiceProcess[] = [];

    beforeAll(async () => {
      if (!database) return;
      const env = {
        ...database.env,
        MIGRATIONS_RUN: 'false',
        RATE_LIMIT_PER_MINUTE: '0',
        SLA_CHECK_INTERVAL_SECONDS: '1',
        WEBHOOK_DISPATCH_INTERVAL_MS: '200',
      };
      // One after the other: whatever started is stopped in afterAll, even when the other fails to.
      for (const name of ['a', 'b']) instances.push(await startServiceProcess(name, env));
    });

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
    });

    async function ticketsTitled(title: string): Promise<number> {
      const { rows } = await sql.query<{ count: string }>('SELECT count(*) FROM tickets WHERE title = $1', [title]);
      return Number(rows[0].count);
    }

    itOnPostgresOnly('creates one ticket for one Idempotency-Key sent to both, one after the other', async () => {
      const [a, b] = instances;
      const reporter = user(Role.END_USER);
      const body = ticketBody();
      const key = crypto.randomUUID();
      const first = await a
        .http()
        .post(TICKETS)
        .set(...reporter.header)
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      const again = await b
        .http()
        .post(TICKETS)
        .set(...reporter.header)
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await ticketsTitled(body.title as string)).toBe(1);
    });

    itOnPostgresOnly('creates one ticket for one Idempotency-Key sent to both at once', async () => {
      const [a, b] = instances;
      const reporter = user(Role.END_USER);
      const body = ticketBody();
      const key = crypto.randomUUID();
      const post = (instance: ServiceProcess) =>
        instance
          .http()
          .post(TICKETS)
          .set(...reporter.header)
          .set('Idempotency-Key', key)
          .send(body);
      const racing = await Promise.all([a, b, a, b].map(post));
      // Spec §2: the first response again, or 409 while the first is still running; a retry then gets the first.
      for (const res of racing) expect([201, 409]).toContain(res.status);
      const winners = racing.filter((res) => res.status === 201);
      expect(winners.length).toBeGreaterThan(0);
      for (const busy of racing.filter((res) => res.status === 409)) {
        expect(busy.body.error_code).toBe('IDEMPOTENCY_KEY_IN_USE');
      }
      const retried = await Promise.all([post(a), post(b)]);
      for (const res of [...winners, ...retried]) {
        expect(res.status).toBe(201);
        expect(res.body).toEqual(winners[0].body);
      }
      expect(await ticketsTitled(body.title as string)).toBe(1);
    });

    itOnPostgresOnly('records each SLA breach once while both scanners run', async () => {
      const [a, b] = instances;
      const reporter = user(Role.END_USER);
      const tickets = [];
      for (let i = 0; i < 20; i++)
        tickets.push(await createTicketOn(i % 2 === 0 ? a : b, reporter, { priority: 'P1' }));
      const ids = tickets.map((ticket) => ticket.id);
      // Ten hours older in one statement: past both P1 targets (1 h response, 4 h resolution) at once.
      await sql.query(
        `UPDATE tickets SET created_at = created_at - interval '10 hours', updated_at = updated_at - interval '10 hours',
           resolution_clock_started_at = resolution_clock_started_at - interval '10 hours',
           response_due_at = response_due_at - interval '10 hours', resolution_due_at = resolution_due_at - interval '10 hours'
         WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const breaches = async () =>
        (
          await sql.query<{ ticket_id: string; kind: string }>(
            `SELECT ticket_id, metadata->>'kind' AS kind FROM ticket_history
             WHERE change_type = $1 AND ticket_id = ANY($2::uuid[]) ORDER BY ticket_id, kind`,
            [HistoryChangeType.SLA_BREACH, ids],
          )
        ).rows;
      await waitFor(async () => (await breaches()).length >= 2 * ids.length, 'the breaches recorded', 60_000);
      await morePasses(instances, 'sla-breach-scanner', 2);

      const expected = [...ids].sort().flatMap((id) => [
        { ticket_id: id, kind: 'resolution' },
        { ticket_id: id, kind: 'response' },
      ]);
      expect(await breaches()).toEqual(expected);
      const { rows: events } = await sql.query<{ ticket_id: string; kind: string }>(
        `SELECT ticket_id, data->>'kind' AS kind FROM outbox_events
         WHERE type = 'sla.breached' AND ticket_id = ANY($1::uuid[]) ORDER BY ticket_id, kind`,
        [ids],
      );
      expect(events).toEqual(expected);
    });

    itOnPostgresOnly('delivers each webhook event once per subscription while both dispatchers run', async () => {
      const [a, b] = instances;
      const receiver = new Receiver();
      await receiver.start();
      try {
        const admin = user(Role.ADMIN);
        for (const path of ['/one', '/two']) {
          await a
            .http()
            .post('/api/v1/webhooks')
            .set(...admin.header)
            .send({ url: `${receiver.url}${path}`, events: ['ticket.created'], secret: 'multi-instance-secret-0123' })
            .expect(201);
        }
        const reporter = user(Role.END_USER);
        const tickets = [];
        for (let i = 0; i < 20; i++) tickets.push(await createTicketOn(i % 2 === 0 ? a : b, reporter));
        const { rows } = await sql.query<{ id: string }>(
          `SELECT id FROM outbox_events WHERE type = 'ticket.created' AND ticket_id = ANY($1::uuid[])`,
          [tickets.map((ticket) => ticket.id)],
        );
        expect(rows).toHaveLength(tickets.length);
        const expected = ['/one', '/two'].flatMap((path) => rows.map((row) => `${path} ${row.id}`)).sort();

        await waitFor(() => expected.every((key) => receiver.deliveries.has(key)), 'every delivery', 60_000);
        await morePasses(instances, 'webhook-dispatcher', 2);
        expect([...receiver.deliveries.keys()].sort()).toEqual(expected);
        expect([...receiver.deliveries.values()].every((count) => count === 1)).toBe(true);
      } finally {
        await receiver.stop();
      }
    });

    itOnPostgresOnly('serves the same change feed from both instances', async () => {
      const [a, b] = instances;
      const reader = user(Role.DEVOPS_ENGINEER);
      const reporter = user(Role.END_USER);
      const created = [];
      for (let i = 0; i < 10; i++) created.push(await createTicketOn(i % 2 === 0 ? a : b, reporter));
      const ids = new Set(created.map((ticket) => ticket.id));
      // The feed serves a commit once every older transaction has ended (on a shared server, other suites' too):
      // read until it holds these tickets, the newest events; then it holds every older one too.
      const completeFeed = async (instance: ServiceProcess) => {
        const feed = await feedFrom(instance, reader);
        return feed.filter((event) => ids.has(event.ticket_id)).length === ids.size ? feed : null;
      };
      let fromA: FeedEvent[] | null = null;
      let fromB: FeedEvent[] | null = null;
      await waitFor(
        async () => (fromA ??= await completeFeed(a)) !== null && (fromB ??= await completeFeed(b)) !== null,
        "both instances' feeds to hold the new tickets",
        60_000,
      );
      expect(fromB).toEqual(fromA);
      const { rows } = await sql.query<{ id: string }>('SELECT id FROM outbox_events ORDER BY xid, seq');
      expect(fromA!.map((event) => event.id)).toEqual(rows.map((row) => row.id));
    });
  });
});
