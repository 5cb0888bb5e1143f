import { Role } from '@ticketing/contracts';
import type { Client } from 'pg';
import { CONNECT_TIMEOUT_MS } from '../apps/ticket-service/src/database/data-source-options';
import { describeWithPrivatePostgres } from './support/conditions';
import { errorAnswerProblems } from './support/error-answer';
import { auth, createTicket } from './support/factories';
import { PrivatePostgres } from './support/private-postgres';
import { startTestApp, type TestApp } from './support/test-app';
import { lostAcknowledgedWrites, type Query, ticketInconsistencies } from './support/ticket-consistency';
import { type Exchange, TicketWorkload } from './support/ticket-workload';
import { waitFor } from './support/wait-for';

/**
 * Issue 11, faults 5(a) and 5(b): the database goes away under a steady write load — stopped, crashed, or the
 * service's sessions terminated in the middle of their transactions. The app under test talks to a PostgreSQL
 * server of this suite's own (support/private-postgres.ts); the shared server is never touched.
 */

/** "Fail fast": a request during an outage is answered within this, on a busy two-core machine. */
const FAIL_FAST_MS = 2_000;
const WORKERS = 6;
/** How long the database stays away at least. */
const OUTAGE_MS = 3_000;
/** Sessions to kill while their transaction has written something, and the time to spend killing at least. */
const MID_TRANSACTION_KILLS = 25;
const KILLING_MS = 5_000;

/** Every answer of the run is a success or the spec's 503; anything else (a 500 above all) is listed. */
function unexpectedAnswers(exchanges: readonly Exchange[]): string[] {
  return exchanges.flatMap((exchange) => {
    if (exchange.status === 200 || exchange.status === 201) return [];
    const problems = errorAnswerProblems(exchange, 503, 'SERVICE_UNAVAILABLE', true);
    return problems.length === 0 ? [] : [`${exchange.kind} → ${exchange.status} ${JSON.stringify(exchange.body)}`];
  });
}

describeWithPrivatePostgres('faults: the database fails under load (issue 11, 5a/5b)', () => {
  let server: PrivatePostgres;
  let t: TestApp;
  let databaseName: string;
  /** SQL on the suite's database through a session of the test's own. */
  let query: Query;

  beforeAll(async () => {
    server = await PrivatePostgres.start();
    const database = await server.createDatabase();
    databaseName = new URL(database.url ?? '').pathname.slice(1);
    query = <Row>(sql: string, params: unknown[] = []) =>
      server.withClient(async (client: Client) => (await client.query(sql, params)).rows as Row[], databaseName);
    t = await startTestApp({}, database);
  });

  afterAll(async () => {
    await t?.close();
    await server?.destroy();
  });

  async function readiness(): Promise<number> {
    return (await t.http().get('/health/ready')).status;
  }

  /** The stored tickets are consistent and every acknowledged write is stored. */
  async function expectNothingLostOrHalfWritten(workload: TicketWorkload): Promise<void> {
    expect(await ticketInconsistencies(query)).toEqual([]);
    expect(await lostAcknowledgedWrites(query, workload.exchanges)).toEqual([]);
  }

  describe.each([
    ['stopped (fast shutdown: sessions terminated, then the server exits)', () => server.stop()],
    ['crashed (immediate shutdown: every process quits, WAL recovery at the next start)', () => server.kill()],
  ])('PostgreSQL %s under load, then started again', (_how, takeDown) => {
    it('answers 503 with Retry-After at once while it is down, readiness follows, and it recovers without a restart', async () => {
      const workload = new TicketWorkload(t, { workers: WORKERS, pauseMs: 20 });
      let downSince = 0;
      let downUntil = 0;
      workload.start();
      try {
        await waitFor(() => workload.count('create', 201) >= 10, 'tickets created before the outage');
        await waitFor(() => workload.count('status', 200) >= 10, 'status changes before the outage');

        await takeDown();
        downSince = Date.now();
        const notReady = await t.http().get('/health/ready');
        expect(errorAnswerProblems(notReady, 503, 'SERVICE_UNAVAILABLE', true)).toEqual([]);
        await waitFor(
          () => workload.count(null, 503, downSince) >= 30 && Date.now() - downSince >= OUTAGE_MS,
          'requests answered during the outage',
        );
        downUntil = Date.now();

        await server.startServer();
        await waitFor(async () => (await readiness()) === 200, 'readiness back at 200');
        const readySince = Date.now();
        // The same app instance serves writes again: no restart.
        await waitFor(() => workload.count('create', 201, readySince) >= 5, 'tickets created after the outage');
        await waitFor(() => workload.count('status', 200, readySince) >= 5, 'status changes after the outage');
      } finally {
        await workload.stop();
      }

      const exchanges = workload.exchanges;
      expect(unexpectedAnswers(exchanges)).toEqual([]);
      // Requests sent while the server was down were refused at once, all of them.
      const duringOutage = exchanges.filter(
        (exchange) => exchange.startedAt >= downSince && exchange.startedAt + exchange.durationMs <= downUntil,
      );
      expect(duringOutage.length).toBeGreaterThanOrEqual(30);
      expect(duringOutage.filter((exchange) => exchange.status !== 503)).toEqual([]);
      expect(duringOutage.filter((exchange) => exchange.durationMs >= FAIL_FAST_MS)).toEqual([]);
      // Nothing waited for the pool's connect timeout, before, during or after.
      expect(Math.max(...exchanges.map((exchange) => exchange.durationMs))).toBeLessThan(CONNECT_TIMEOUT_MS);

      await expectNothingLostOrHalfWritten(workload);
    });
  });

  it("keeps every write whole when the service's sessions are terminated mid-transaction (pg_terminate_backend)", async () => {
    const workload = new TicketWorkload(t, { workers: WORKERS, pauseMs: 5 });
    /** Sessions killed while their transaction had written something (it has an xid). */
    let killedMidTransaction = 0;
    workload.start();
    try {
      await waitFor(() => workload.count('create', 201) >= 5, 'tickets created before the first kill');
      const killingSince = Date.now();
      await server.withClient(async (admin) => {
        await waitFor(
          async () => {
            const { rows } = await admin.query<{ in_transaction: boolean }>(
              `SELECT backend_xid IS NOT NULL AS in_transaction, pg_terminate_backend(pid)
               FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'ticket-service%'`,
              [databaseName],
            );
            killedMidTransaction += rows.filter((row) => row.in_transaction).length;
            await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
            return killedMidTransaction >= MID_TRANSACTION_KILLS && Date.now() - killingSince >= KILLING_MS;
          },
          'sessions killed in the middle of a writing transaction',
          120_000,
        );
      });
      // Once the killing stops, the service serves writes again.
      const calmSince = Date.now();
      await waitFor(() => workload.count('create', 201, calmSince) >= 5, 'tickets created after the kills');
      await waitFor(() => workload.count('status', 200, calmSince) >= 5, 'status changes after the kills');
    } finally {
      await workload.stop();
    }

    expect(unexpectedAnswers(workload.exchanges)).toEqual([]);
    await expectNothingLostOrHalfWritten(workload);

    // And a single request afterwards just works.
    const admin = t.user(Role.ADMIN);
    const ticket = await createTicket(t, admin);
    await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(admin))
      .expect(200);
  });
});
