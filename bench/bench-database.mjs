// The database of one benchmark run: a fresh one on the PostgreSQL server at `serverUrl` (dropped by `drop`), or,
// without a server, the embedded PGlite in memory.
import pg from 'pg';

export async function openBenchDatabase(serverUrl, prefix) {
  if (!serverUrl) return { env: { PGLITE_DATA_DIR: 'memory://' }, label: 'PGlite (embedded)', drop: async () => {} };
  const name = `ticket_bench_${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const { rows } = await admin.query(`SELECT current_setting('server_version') AS version`);
  return {
    env: { DATABASE_URL: url.toString() },
    label: `PostgreSQL ${rows[0].version.split(' ')[0]}`,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
