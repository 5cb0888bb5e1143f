import { Role } from '@ticketing/contracts';
import { Client } from 'pg';
import { SearchDatabase } from '../apps/ticket-service/src/database/search-database';
import { itOnPostgres } from './support/conditions';
import { errorAnswerProblems } from './support/error-answer';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const TIMEOUT_MS = 300;

/**
 * List and search statements are bounded by SEARCH_STATEMENT_TIMEOUT_MS (spec: a search that takes too long is
 * cancelled and answered 503 with Retry-After). On PostgreSQL they run on connections of their own that start
 * with that timeout and cannot write; on PGlite, in a transaction that sets it.
 */
describe('searches are bounded by SEARCH_STATEMENT_TIMEOUT_MS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SEARCH_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) });
  });

  afterAll(() => t.close());

  it('runs search statements under the configured timeout', async () => {
    const [setting] = await t.app
      .get(SearchDatabase)
      .run((db) => db.query<{ statement_timeout: string }[]>('SHOW statement_timeout'));
    expect(setting.statement_timeout).toBe(`${TIMEOUT_MS}ms`);
  });

  itOnPostgres('PGlite searches share the app connection inside a writable transaction')(
    'runs search statements on read-only sessions outside any transaction',
    async () => {
      const [session] = await t.app.get(SearchDatabase).run((db) =>
        db.query<{ read_only: string; own_transaction: boolean }[]>(
          `SELECT current_setting('transaction_read_only') AS read_only,
                    now() = statement_timestamp() AS own_transaction`,
        ),
      );
      expect(session.read_only).toBe('on');
      // Outside an explicit transaction every statement is its own, so the two timestamps are the same.
      expect(session.own_transaction).toBe(true);
      await expect(
        t.app.get(SearchDatabase).run((db) => db.query('CREATE TEMP TABLE scratch (id int)')),
      ).rejects.toThrow(/read-only transaction/);
    },
  );

  itOnPostgres('a second session cannot hold a lock on the embedded database while the app waits on it')(
    'answers GET /tickets 503 with Retry-After when its statement outlives the timeout, and serves it again after',
    async () => {
      const manager = t.user(Role.MANAGER);
      await createTicket(t, manager);
      // A table lock held by another session makes the list's statement wait: the timeout ends the wait.
      const locker = new Client({ connectionString: t.database.url ?? '' });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const res = await t
          .http()
          .get('/api/v1/tickets')
          .set(...auth(manager));
        expect(errorAnswerProblems(res, 503, 'SERVICE_UNAVAILABLE', true)).toEqual([]);
        expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS);
        await locker.query('ROLLBACK');
      } finally {
        await locker.end();
      }
      const after = await t
        .http()
        .get('/api/v1/tickets')
        .set(...auth(manager));
      expect(after.status).toBe(200);
      expect(after.body.total).toBe(1);
    },
  );
});
