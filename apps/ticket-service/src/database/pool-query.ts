import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * One statement through `manager`: in a transaction on its connection, as `manager.query` runs it; outside one
 * straight on the driver's pool. For a lone statement TypeORM's `query()` takes a query runner of its own (connect,
 * events, release), which cost ~7% of the CPU of a read by id; the pool runs the same statement on any free
 * connection. Statements slower than `maxQueryExecutionTime` are still logged as TypeORM logs them, and the driver's
 * errors are the ones TypeORM would have wrapped, which toDomainError reads either way.
 */
export async function queryRows<Row>(manager: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  if (manager.queryRunner !== undefined) return manager.query<Row[]>(sql, params);
  const dataSource: DataSource = manager.connection;
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const started = performance.now();
  const { rows } = await pool.query(sql, params);
  const elapsedMs = performance.now() - started;
  const slowMs = dataSource.options.maxQueryExecutionTime;
  if (slowMs !== undefined && elapsedMs > slowMs) dataSource.logger.logQuerySlow(elapsedMs, sql, params);
  return rows as Row[];
}
