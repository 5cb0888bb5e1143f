import type { EntityManager } from 'typeorm';

/** Runs SQL with `:name` parameters through TypeORM's escaping, so hand-written SQL stays readable. */
export function queryNamed<T>(manager: EntityManager, sql: string, params: Record<string, unknown>): Promise<T[]> {
  const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, params);
  return manager.query<T[]>(query, values);
}
