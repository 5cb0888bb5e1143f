import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@ticketing/contracts';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { JobScheduler } from '../apps/ticket-service/src/common/jobs/job-scheduler';
import { mintAccessToken } from '../apps/ticket-service/src/common/auth/access-token';
import { parseConfig } from '../apps/ticket-service/src/config/app-config';
import { ticketBody } from './support/factories';
import { type ServiceProcess, startServiceProcess } from './support/service-process';
import { startTestApp, TEST_JWT_SECRET } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import type { Query } from './support/ticket-consistency';
import { waitFor } from './support/wait-for';

/**
 * Issue 11, point 6: the built service as a child process (main.js, as deployed) gets SIGTERM in the middle of a
 * steady stream of creates. It stops accepting connections, answers what is in flight, closes keep-alive
 * connections after their current response, closes the app (jobs, webhook dispatcher and listener, pool) and
 * exits 0 within its grace period: no 5xx, every 201 has its row, and no row belongs to a request the client was
 * told nothing about, unless its connection broke mid-request. Needs `npm run build`.
 *
 * The child uses a fresh database on the suite's PostgreSQL, or, without TEST_DATABASE_URL, its embedded PGlite in
 * a data directory that the test opens after the child has exited.
 */

const GRACE_PERIOD_MS = 10_000;
const LOAD_WORKERS = 8;

const auth = parseConfig({ ENVIRONMENT: 'test', JWT_SECRET_KEY: TEST_JWT_SECRET }).auth;
const TOKEN = mintAccessToken(auth, { role: Role.DEVOPS_ENGINEER, sub: randomUUID() });

/** One create of the load and how it ended: an answer, a refused connection, or a connection broken mid-request. */
type Outcome =
  | { marker: string; kind: 'answered'; status: number; id: string | null }
  | { marker: string; kind: 'refused' | 'broken'; error: string };

/** The database the child uses, and SQL on it for the test once the child has exited. */
interface ChildDatabase {
  env: Record<string, string>;
  /** Runs `check` with a query function on the database, then lets go of it. */
  inspect<T>(check: (query: Query) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

async function childDatabase(): Promise<ChildDatabase> {
  const database: TestDatabase = await createTestDatabase();
  if (database.url) {
    const url = database.url;
    return {
      env: { DATABASE_URL: url },
      async inspect(check) {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          return await check(async (sql, params = []) => (await client.query(sql, params)).rows);
        } finally {
          await client.end();
        }
      },
      drop: () => database.drop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'graceful-shutdown-'));
  const dataDir = join(dir, 'pglite');
  return {
    env: { PGLITE_DATA_DIR: dataDir },
    async inspect(check) {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create(dataDir);
      try {
        return await check(async <Row>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows);
      } finally {
        await db.close();
      }
    },
    drop: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** Creates tickets in a loop, each with a unique marker in its title, until the service refuses connections. */
async function createUntilRefused(service: ServiceProcess, outcomes: Outcome[]): Promise<void> {
  for (;;) {
    const marker = randomUUID();
    try {
      const res = await fetch(`${service.url}/api/v1/tickets`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(ticketBody({ title: `Shutdown probe ${marker}` })),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json()) as { id?: string };
      outcomes.push({ marker, kind: 'answered', status: res.status, id: body.id ?? null });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      const refused = code === 'ECONNREFUSED';
      outcomes.push({ marker, kind: refused ? 'refused' : 'broken', error: code });
      if (refused) return;
    }
  }
}

/**
 * A create whose headers are sent at once (Expect: 100-continue) and whose body waits for `release`: resolves
 * `inFlight` once the service has taken the request (its 100 Continue), and `done` with the answer.
 */
function slowCreate(service: ServiceProcess, marker: string, agent: Agent) {
  const body = Buffer.from(JSON.stringify(ticketBody({ title: `Shutdown probe ${marker}` })));
  let request!: ClientRequest;
  const inFlight = new Promise<void>((resolve) => {
    request = httpRequest({
      host: '127.0.0.1',
      port: new URL(service.url).port,
      method: 'POST',
      path: '/api/v1/tickets',
      agent,
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        Expect: '100-continue',
      },
    });
    request.once('continue', () => resolve());
  });
  const done = new Promise<{ status: number; connection: string | undefined; body: Record<string, any> }>(
    (resolve, reject) => {
      request.once('error', reject);
      request.once('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            connection: res.headers.connection,
            body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, any>,
          }),
        );
      });
    },
  );
  request.flushHeaders();
  return {
    inFlight,
    done,
    /** Sends the body in two halves, the second after a pause. */
    async release(pauseMs: number): Promise<void> {
      request.write(body.subarray(0, body.length / 2));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      request.end(body.subarray(body.length / 2));
    },
    abandon: () => request.destroy(),
  };
}

/** The service's JSON log lines (warnings and errors: the level it runs at). */
function logLines(service: ServiceProcess): Record<string, unknown>[] {
  return service
    .output()
    .split('\n')
    .flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []));
}
const errorLogs = (service: ServiceProcess) => logLines(service).filter((line) => Number(line.level) >= 50);

/** Starts the built service on `database` with the grace period given. */
function startService(database: ChildDatabase, gracePeriodMs: number): Promise<ServiceProcess> {
  return startServiceProcess('graceful-shutdown', {
    RATE_LIMIT_PER_MINUTE: '0',
    SHUTDOWN_GRACE_PERIOD_MS: String(gracePeriodMs),
    ...database.env,
  });
}

/** Sends SIGTERM; resolves with the exit code (null: ended by a signal) and the time the process ended. */
function terminate(service: ServiceProcess): Promise<{ code: number | null; at: number }> {
  return service.stop('SIGTERM', 60_000).then((code) => ({ code, at: Date.now() }));
}

describe('graceful shutdown of the built service (issue 11, point 6)', () => {
  let database: ChildDatabase;
  let service: ServiceProcess | null = null;

  beforeEach(async () => {
    database = await childDatabase();
  });

  afterEach(async () => {
    await service?.stop('SIGKILL');
    service = null;
    await database.drop();
  });

  it('on SIGTERM under load: answers what is in flight, refuses new connections, loses no write and exits 0', async () => {
    const running = await startService(database, GRACE_PERIOD_MS);
    service = running;
    const outcomes: Outcome[] = [];
    const load = Array.from({ length: LOAD_WORKERS }, () => createUntilRefused(running, outcomes));
    await waitFor(
      () => outcomes.filter((outcome) => outcome.kind === 'answered').length >= 50,
      'creates before SIGTERM',
    );

    const keepAlive = new Agent({ keepAlive: true });
    const slowMarker = randomUUID();
    const slow = slowCreate(running, slowMarker, keepAlive);
    await slow.inFlight;
    const signalledAt = Date.now();
    const exited = terminate(running);
    // The service waits for this request's body, sent in two halves, the second well after the signal.
    await slow.release(500);
    const slowAnswer = await slow.done;
    const exit = await exited;
    await Promise.all(load);
    keepAlive.destroy();

    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(GRACE_PERIOD_MS);
    // The request in flight was answered, as its connection's last.
    expect(slowAnswer.status).toBe(201);
    expect(slowAnswer.connection).toBe('close');

    const answered = outcomes.flatMap((outcome) => (outcome.kind === 'answered' ? [outcome] : []));
    expect(answered.filter((outcome) => outcome.status !== 201)).toEqual([]);
    // After the signal, nothing but refused connections: the load stops at the first one.
    expect(outcomes.filter((outcome) => outcome.kind === 'refused')).toHaveLength(LOAD_WORKERS);

    const created = new Set([...answered.map((outcome) => outcome.id), slowAnswer.body.id]);
    const mayExist = new Set(outcomes.filter((outcome) => outcome.kind === 'broken').map((outcome) => outcome.marker));
    const stored = await database.inspect((query) =>
      query<{ id: string; title: string }>(`SELECT id, title FROM tickets`),
    );
    const storedIds = new Set(stored.map((row) => row.id));
    expect([...created].filter((id) => !storedIds.has(id as string))).toEqual([]);
    const unexplained = stored.filter(
      (row) => !created.has(row.id) && !mayExist.has(row.title.replace('Shutdown probe ', '')),
    );
    expect(unexplained).toEqual([]);

    expect(errorLogs(running)).toEqual([]);
  });

  it('cuts a request still unfinished when the grace period is over, then exits 0', async () => {
    const gracePeriodMs = 1_500;
    const running = await startService(database, gracePeriodMs);
    service = running;
    const agent = new Agent({ keepAlive: true });
    const stuck = slowCreate(running, randomUUID(), agent);
    await stuck.inFlight;
    const signalledAt = Date.now();
    const exited = terminate(running);
    // Its body never comes: the service may not wait for it longer than the grace period.
    const answer = await stuck.done.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    const exit = await exited;
    stuck.abandon();
    agent.destroy();

    expect(answer).toBe('ECONNRESET');
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(gracePeriodMs);
    expect(exit.at - signalledAt).toBeLessThan(gracePeriodMs + 10_000);
    expect(logLines(running).map((line) => line.msg)).toContain(
      'grace period over: cut the connections of unfinished requests',
    );
    expect(errorLogs(running)).toEqual([]);
  });
});

describe('closing the app (issue 11, point 6)', () => {
  it('lets a periodic job finish its current batch on the database before the pool closes, and starts no other', async () => {
    const t = await startTestApp();
    const dataSource = t.app.get(DataSource);
    const batches: string[] = [];
    let passes = 0;
    t.app.get(JobScheduler).schedule({
      name: 'shutdown-probe',
      intervalMs: 50,
      runAtStart: true,
      async run(stopping) {
        passes += 1;
        do {
          // A batch that is still talking to the database when the app starts closing.
          await new Promise((resolve) => setTimeout(resolve, 100));
          batches.push(
            await dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM tickets').then(
              ([row]) => `counted ${row.n}`,
              (error: Error) => `failed: ${error.message}`,
            ),
          );
        } while (!stopping.aborted);
        return batches.length;
      },
    });
    await waitFor(() => batches.length >= 1, 'a first batch');
    await t.close();
    const afterClose = batches.length;
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(passes).toBe(1);
    expect(batches.length).toBe(afterClose);
    // The first batch, and the one under way when closing began: both had their database.
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches).toEqual(Array(batches.length).fill('counted 0'));
  });
});
