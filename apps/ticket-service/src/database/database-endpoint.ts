import type { AppConfig } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';
import type { ConnectionSettings } from './data-source-options';

/** Connections the embedded server accepts: the app pool, the migration command and the health probe. */
const EMBEDDED_MAX_CONNECTIONS = 16;
/**
 * One connection to the embedded server. PGlite runs one statement at a time anyway, and its socket server
 * interleaves the extended-protocol messages of concurrent connections outside transactions ("unnamed
 * prepared statement does not exist"); a single connection keeps every statement whole.
 */
const EMBEDDED_POOL_SIZE = 1;

export interface DatabaseEndpoint {
  settings: ConnectionSettings;
  /** Present when the service runs its own embedded PostgreSQL. */
  embedded: EmbeddedPostgres | null;
}

/** Resolves where the database is: DATABASE_URL, or an embedded PostgreSQL started here. */
export async function openDatabaseEndpoint(db: AppConfig['db']): Promise<DatabaseEndpoint> {
  if (db.url)
    return { settings: { url: db.url, poolSize: db.poolSize, runMigrations: db.runMigrations }, embedded: null };
  const embedded = await EmbeddedPostgres.start({
    dataDir: db.pgliteDataDir,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  return {
    settings: {
      url: embedded.url,
      poolSize: Math.min(db.poolSize, EMBEDDED_POOL_SIZE),
      runMigrations: db.runMigrations,
    },
    embedded,
  };
}
