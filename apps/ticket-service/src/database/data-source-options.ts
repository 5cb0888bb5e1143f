import type { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../../migrations';
import { GuardedClient } from './guarded-client';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TypeOrmLogger } from './typeorm-logger';

/** The longest wait for a connection (pool exhausted, server unreachable): fail fast instead of hanging. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectionSettings {
  url: string;
  poolSize: number;
  runMigrations: boolean;
}

/** The one source of DataSource options, for the app and for the migration command alike. */
export function buildDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    migrations: ALL_MIGRATIONS,
    migrationsRun: settings.runMigrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    namingStrategy: new SnakeNamingStrategy(),
    poolSize: settings.poolSize,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    extra: {
      Client: GuardedClient,
      application_name: 'ticket-service',
      idleTimeoutMillis: 30_000,
      // Timestamp arithmetic in SQL (SLA rules: due − start, now − pending_since) adds whole days by the
      // session's calendar; in a zone with daylight saving a day is 23 or 25 hours. UTC keeps it exact,
      // so SQL agrees with the millisecond arithmetic in TypeScript whatever the server's default zone.
      options: '-c TimeZone=UTC',
    },
    logger: new TypeOrmLogger(),
    logging: ['warn', 'migration'],
    maxQueryExecutionTime: 1000,
  };
}
