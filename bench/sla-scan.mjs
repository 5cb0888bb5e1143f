// SLA breach scanner run time over many open tickets (npm run build first).
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/sla-scan.mjs
// Seeds BENCH_OPEN_TICKETS (100000) open tickets with SQL, of which BENCH_NEWLY_BREACHED (5000) are past due
// and not yet recorded, then times: the first scan (records those breaches, one history row + one event
// each) and a steady-state scan (nothing new to record).
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
const dist = '../apps/ticket-service/dist/apps/ticket-service/src';
const { createApp } = require(`${dist}/app.setup.js`);
const { parseConfig } = require(`${dist}/config/app-config.js`);
const { createRootLogger } = require(`${dist}/common/logging/logger.js`);
const { SlaBreachScanner } = require(`${dist}/modules/tickets/sla-breach.scanner.js`);

const OPEN = Number(process.env.BENCH_OPEN_TICKETS ?? 100_000);
const BREACHED = Number(process.env.BENCH_NEWLY_BREACHED ?? 5_000);
const serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) throw new Error('BENCH_DATABASE_URL (a PostgreSQL server URL) is required');

const name = `ticket_bench_sla_${Date.now()}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;

const config = parseConfig({
  ENVIRONMENT: 'test',
  DATABASE_URL: url.toString(),
  JWT_SECRET_KEY: 'bench-secret-with-at-least-32-characters',
  SLA_CHECK_INTERVAL_SECONDS: '86400',
});
const app = await createApp(config, { logger: createRootLogger('error') });
await app.init();
try {
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const seeded = Date.now();
  // Open tickets due in the future, except the first BREACHED ones whose response was due an hour ago.
  await db.query(
    `INSERT INTO tickets (title, description, category, priority, status, reporter_id, created_at, updated_at,
                          resolution_clock_started_at, response_due_at, resolution_due_at)
     SELECT 'Seeded ticket ' || i, 'Seeded for the scanner benchmark.', 'INCIDENT', 'P3',
            (ARRAY['NEW','OPEN','IN_PROGRESS'])[1 + i % 3], gen_random_uuid(), now() - interval '2 hours', now(),
            now() - interval '2 hours',
            CASE WHEN i <= $2 THEN now() - interval '1 hour' ELSE now() + interval '8 hours' END,
            now() + interval '70 hours'
     FROM generate_series(1, $1) AS i`,
    [OPEN, BREACHED],
  );
  await db.query('ANALYZE tickets');
  console.log(
    `seeded ${OPEN} open tickets (${BREACHED} newly breached) in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
  );
  await db.end();

  const scanner = app.get(SlaBreachScanner);
  let started = performance.now();
  const recorded = await scanner.scan();
  const firstMs = performance.now() - started;
  started = performance.now();
  const again = await scanner.scan();
  const steadyMs = performance.now() - started;
  const report = [
    `| open tickets | newly breached | first scan (records breaches) | steady-state scan |`,
    `|---|---|---|---|`,
    `| ${OPEN} | ${recorded} | ${(firstMs / 1000).toFixed(2)} s (${Math.round(recorded / (firstMs / 1000))} breaches/s) | ${steadyMs.toFixed(0)} ms (${again} recorded) |`,
  ].join('\n');
  console.log(report);
} finally {
  await app.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
