import { DataSource, type EntityManager } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import type { DatabaseEndpoint } from './database-endpoint';

/**
 * Where list and search statements run, bounded by the search statement timeout so that a pathological search
 * is cancelled instead of holding a connection.
 *
 * On PostgreSQL they get a small pool of their own whose sessions start with that timeout (and read-only): each
 * statement runs alone, with no transaction around it, so a search pays no BEGIN, SET LOCAL or COMMIT round
 * trips, and a burst of slow searches cannot take the connections that writes need. The embedded database takes
 * one connection at a time, so there the statements share the app's connection in a transaction that sets the
 * timeout.
 */
export class SearchDatabase {
  private constructor(
    private readonly own: DataSource | null,
    private readonly app: DataSource,
    private readonly timeoutMs: number,
  ) {}

  /** A data source like `app` on connections of its own, or none on the embedded database. */
  static async open(
    app: DataSource,
    endpoint: DatabaseEndpoint,
    settings: { poolSize: number; timeoutMs: number },
  ): Promise<SearchDatabase> {
    if (endpoint.embedded) return new SearchDatabase(null, app, settings.timeoutMs);
    const options = app.options as PostgresDataSourceOptions;
    const extra = (options.extra ?? {}) as { options?: string };
    const own = new DataSource({
      ...options,
      poolSize: settings.poolSize,
      migrationsRun: false,
      subscribers: [],
      extra: {
        ...extra,
        application_name: 'ticket-service search',
        options: [extra.options, `-c statement_timeout=${settings.timeoutMs}`, '-c default_transaction_read_only=on']
          .filter(Boolean)
          .join(' '),
      },
    });
    await own.initialize();
    return new SearchDatabase(own, app, settings.timeoutMs);
  }

  /** Runs `work` with a manager whose every statement is bounded by the search timeout. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.own) return work(this.own.manager);
    return this.app.transaction(async (manager) => {
      await manager.query(`SET LOCAL statement_timeout = ${this.timeoutMs}`);
      return work(manager);
    });
  }

  async close(): Promise<void> {
    if (this.own?.isInitialized) await this.own.destroy();
  }
}
