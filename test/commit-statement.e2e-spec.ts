import type { DataSource, EntityManager } from 'typeorm';
import {
  type BindParameter,
  CommitStatement,
  type DeferredWriter,
  type StatementPart,
} from '../apps/ticket-service/src/database/commit-statement';
import { startTestApp, type TestApp } from './support/test-app';

const PROBE = 'commit_statement_probe';

/** Rows for the probe table, written as one part of the commit statement; the CTE is named after the writer. */
class ProbeWriter implements DeferredWriter {
  readonly labels: string[] = [];

  constructor(private readonly name: string) {}

  compose(bind: BindParameter): StatementPart | null {
    if (this.labels.length === 0) return null;
    return {
      tables: [
        `${this.name}_written AS (
           INSERT INTO ${PROBE} (label, written_by) SELECT label, statement_timestamp() FROM unnest(${bind(this.labels)}::text[]) AS label
           RETURNING 1
         )`,
      ],
      effects: [`(SELECT count(*) FROM ${this.name}_written) AS ${this.name}_rows`],
    };
  }
}

/**
 * The statement a transaction sends before COMMIT (database/commit-statement.ts): what writers gather in a
 * transaction is written once, in one statement, just before it commits, and dropped with it when it rolls back.
 */
describe('the commit statement', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let commitStatement: CommitStatement;

  const probeRows = async (): Promise<{ label: string; written_by: Date }[]> =>
    dataSource.query(`SELECT label, written_by FROM ${PROBE} ORDER BY id`);
  const writer = (manager: EntityManager, name: string) =>
    commitStatement.writerIn(manager, name, () => new ProbeWriter(name));

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.dataSource;
    commitStatement = t.app.get(CommitStatement);
    await dataSource.query(
      `CREATE TABLE ${PROBE} (id serial PRIMARY KEY, label text NOT NULL, written_by timestamptz NOT NULL)`,
    );
  });

  afterAll(async () => {
    await dataSource.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await t.close();
  });

  beforeEach(() => dataSource.query(`TRUNCATE ${PROBE}`));

  it("writes every writer's rows of a transaction in one statement, sent just before COMMIT", async () => {
    await dataSource.transaction(async (manager) => {
      const first = writer(manager, 'first');
      first?.labels.push('a');
      // The same key in the same transaction is the same writer: its rows accumulate.
      writer(manager, 'first')?.labels.push('b');
      writer(manager, 'second')?.labels.push('c');
      expect(writer(manager, 'first')).toBe(first);
      const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM ${PROBE}`);
      expect(count).toBe(0);
    });
    const rows = await probeRows();
    expect(rows.map((row) => row.label)).toEqual(['a', 'b', 'c']);
    // statement_timestamp() differs between the statements of one transaction: one value, one statement.
    expect(new Set(rows.map((row) => row.written_by.getTime())).size).toBe(1);
  });

  it('drops what a transaction gathered when it rolls back, and leaves the next transaction on the connection clean', async () => {
    await expect(
      dataSource.transaction((manager) => {
        writer(manager, 'first')?.labels.push('lost');
        return Promise.reject(new Error('the change fails'));
      }),
    ).rejects.toThrow('the change fails');
    await dataSource.transaction((manager) => {
      writer(manager, 'first')?.labels.push('kept');
      return Promise.resolve();
    });
    expect((await probeRows()).map((row) => row.label)).toEqual(['kept']);
  });

  it('gives no writer outside a transaction: the caller writes at once', async () => {
    expect(writer(dataSource.manager, 'first')).toBeNull();
    const now = new ProbeWriter('now');
    now.labels.push('at once');
    await commitStatement.writeNow(dataSource.manager, [now]);
    expect((await probeRows()).map((row) => row.label)).toEqual(['at once']);
  });

  it('keeps what came before a savepoint when the transaction rolls back to it', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      writer(runner.manager, 'first')?.labels.push('before the savepoint');
      await runner.startTransaction();
      writer(runner.manager, 'first')?.labels.push('inside the savepoint');
      await runner.rollbackTransaction();
      writer(runner.manager, 'first')?.labels.push('after the savepoint');
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect((await probeRows()).map((row) => row.label)).toEqual(['before the savepoint', 'after the savepoint']);
  });
});
