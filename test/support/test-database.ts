import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A fresh database for one suite: a new database on the PostgreSQL server of TEST_DATABASE_URL,
 * or, without it, an in-memory embedded PostgreSQL that the app starts itself.
 */
export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  /** Environment for the app under test. */
  env: Record<string, string>;
  /** The database URL on PostgreSQL (null on PGlite, where the app owns the server). */
  url: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    return { kind: 'pglite', env: { PGLITE_DATA_DIR: 'memory://' }, url: null, drop: () => Promise.resolve() };
  }
  const name = `ticket_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString() },
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** Makes the suite's PostgreSQL database refuse connections, and drops those it has (a database outage). */
export async function refuseConnections(databaseUrl: string, refuse: boolean): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('refuseConnections needs TEST_DATABASE_URL');
  await withClient(serverUrl, async (client) => {
    await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS ${refuse ? 'false' : 'true'}`);
    if (refuse) await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  });
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
