// SLA breach scanner on PostgreSQL (npm run build first), in one run:
//   (a) a pass with nothing due over a large table (mostly closed and resolved tickets) and over a small one
//       with the same few hundred open tickets, interleaved pass by pass with a bare `SELECT 1` round-trip;
//   (b) a burst of newly breached tickets recorded with their history rows and events, per second, and the CPU
//       time it took in the service and in its PostgreSQL backends (a figure the other load on the machine
//       does not inflate).
//
//   node bench/sla-scan.mjs [--url postgres://postgres@127.0.0.1:5432/postgres] [--tickets 1000000]
//                           [--baseline-tickets 10000] [--breaches 10000] [--json] [--keep]
//
// --url defaults to BENCH_DATABASE_URL; the run creates two databases of its own and drops them (--keep leaves
// them, e.g. for EXPLAIN). --json prints one JSON line instead of the table. Each database is served by the built
// service in a child process of its own (one app per process: nestjs-cls keeps its transaction host in a static).
// The services' clocks are fixed at the seeding instant, so "nothing due" stays true however long the run takes.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import pg from 'pg';

const require = createRequire(import.meta.url);
const dist = '../apps/ticket-service/dist/apps/ticket-service/src';

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_DATABASE_URL },
    tickets: { type: 'string', default: '1000000' },
    'baseline-tickets': { type: 'string', default: '10000' },
    breaches: { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** Internal: run as the service of one database (SLA_BENCH_DATABASE_URL, SLA_BENCH_NOW). */
    serve: { type: 'boolean', default: false },
  },
});

if (options.serve) await serve();
else await main();

/** A child process: the built service on one database, scanning when the parent asks. */
async function serve() {
  const { createApp } = require(`${dist}/app.setup.js`);
  const { parseConfig } = require(`${dist}/config/app-config.js`);
  const { createRootLogger } = require(`${dist}/common/logging/logger.js`);
  const { Clock } = require(`${dist}/common/clock.js`);
  const { SlaBreachScanner } = require(`${dist}/modules/tickets/sla-breach.scanner.js`);
  const config = parseConfig({
    ENVIRONMENT: 'test',
    DATABASE_URL: process.env.SLA_BENCH_DATABASE_URL,
    JWT_SECRET_KEY: 'bench-secret-with-at-least-32-characters',
    SLA_CHECK_INTERVAL_SECONDS: '86400',
    NOTIFICATIONS_ENABLED: 'false', // no webhook polling between the measured passes
  });
  const app = await createApp(config, { logger: createRootLogger('error') });
  await app.init();
  const now = Number(process.env.SLA_BENCH_NOW);
  app.get(Clock).now = () => new Date(now);
  const scanner = app.get(SlaBreachScanner);
  process.on('message', async (message) => {
    if (message === 'close') {
      await app.close();
      process.disconnect();
      return;
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    const recorded = await scanner.scan();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    process.send({ ms, recorded, cpuMs: (used.user + used.system) / 1000 });
  });
  process.send('ready');
}

async function main() {
  const sla = require(`${dist}/modules/sla/sla-breach.sql.js`);
  const TICKETS = Number(options.tickets);
  const BASELINE_TICKETS = Number(options['baseline-tickets']);
  const BREACHES = Number(options.breaches);
  /** Open tickets, the same at every size: the scanner's work should not grow with the closed ones. */
  const OPEN_TICKETS = 300;
  /** Interleaved rounds of one pass on each database and one `SELECT 1`. */
  const ROUNDS = 100;
  if (!options.url) throw new Error('--url or BENCH_DATABASE_URL (a PostgreSQL server URL) is required');
  if (!(OPEN_TICKETS < BASELINE_TICKETS && BASELINE_TICKETS <= TICKETS)) {
    throw new Error(`need ${OPEN_TICKETS} < --baseline-tickets <= --tickets`);
  }

  const log = (line) => process.stderr.write(`${line}\n`);
  const count = (n) => n.toLocaleString('en');
  const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);

  /** The scanner's own rules with `:now` bound to the seeding instant, so seeded flags are what it would record. */
  const atNow = (rule) => rule.replaceAll(':now', '$1::timestamptz');
  const RECORDED_FLAGS = `
    (t.response_due_at < $1::timestamptz AND ${atNow(sla.RESPONSE_BREACHED_SQL)}),
    (t.resolution_due_at < $1::timestamptz AND ${atNow(sla.RESOLUTION_BREACHED_SQL)}),
    ${atNow(sla.RESPONSE_WARNING_SQL)},
    ${atNow(sla.RESOLUTION_WARNING_SQL)}`;
  const COLUMNS = `title, description, category, priority, status, reporter_id, created_at, updated_at,
    resolution_clock_started_at, response_due_at, resolution_due_at, first_response_at, resolved_at, closed_at,
    pending_since, response_warning_at, resolution_warning_at, response_breach_recorded, resolution_breach_recorded,
    response_warning_recorded, resolution_warning_recorded`;
  /** `t`'s columns in COLUMNS order, the flags as the scanner would have left them. */
  const SEEDED = `t.title, 'Seeded for the scanner benchmark.', 'INCIDENT', t.priority, t.status, t.reporter_id,
    t.created_at, t.created_at, t.resolution_clock_started_at, t.response_due_at, t.resolution_due_at,
    t.first_response_at, t.resolved_at, t.closed_at, t.pending_since, t.response_warning_at, t.resolution_warning_at,
    ${RECORDED_FLAGS}`;
  /** Default policy targets of P1..P4 (response, resolution), indexed by `k` = 0..3. */
  const TARGETS = `make_interval(mins => (ARRAY[60, 240, 480, 1440])[k + 1]) AS response,
    make_interval(mins => (ARRAY[240, 1440, 4320, 10080])[k + 1]) AS resolution`;

  /**
   * Closed and resolved tickets number `from`..`to`, one a minute going back from 8 days ago: about a fifth
   * answered late, a tenth resolved late, one in fifty closed without an answer.
   */
  const seedClosed = (db, from, to) =>
    db.query(
      `INSERT INTO tickets (${COLUMNS})
       SELECT ${SEEDED} FROM (
         SELECT 'Closed ticket ' || i AS title, 'P' || (k + 1) AS priority,
                CASE WHEN i % 10 < 6 THEN 'CLOSED' ELSE 'RESOLVED' END AS status,
                md5('reporter' || i % 5000)::uuid AS reporter_id,
                created AS created_at, created AS resolution_clock_started_at,
                created + response AS response_due_at, created + resolution AS resolution_due_at,
                created + response * ${sla.SLA_WARNING_SHARE} AS response_warning_at,
                created + resolution * ${sla.SLA_WARNING_SHARE} AS resolution_warning_at,
                CASE WHEN i % 50 <> 0 THEN created + response * (0.2 + (i::bigint * 7919 % 100) / 100.0) END
                  AS first_response_at,
                resolved AS resolved_at,
                CASE WHEN i % 10 < 6 THEN COALESCE(resolved + interval '1 day', created + interval '30 minutes') END
                  AS closed_at,
                NULL::timestamptz AS pending_since
         FROM generate_series($2::int, $3::int) AS i,
              LATERAL (SELECT $1::timestamptz - interval '8 days' - i * interval '1 minute' AS created, i % 4 AS k) AS c,
              LATERAL (SELECT ${TARGETS}) AS p,
              LATERAL (SELECT CASE WHEN i % 50 <> 0
                                   THEN created + resolution * (0.1 + (i::bigint * 104729 % 100) / 100.0) END
                              AS resolved) AS r
       ) AS t`,
      [now, from, to],
    );

  /** Open tickets created every 10 minutes up to 50 hours ago: some answered, some waiting in PENDING_INFO. */
  const seedOpen = (db) =>
    db.query(
      `INSERT INTO tickets (${COLUMNS})
       SELECT ${SEEDED} FROM (
         SELECT 'Open ticket ' || j AS title, 'P' || (k + 1) AS priority,
                (ARRAY['NEW', 'OPEN', 'IN_PROGRESS', 'PENDING_INFO', 'OPEN'])[j % 5 + 1] AS status,
                md5('reporter' || j % 5000)::uuid AS reporter_id,
                created AS created_at, created AS resolution_clock_started_at,
                created + response AS response_due_at, created + resolution AS resolution_due_at,
                created + response * ${sla.SLA_WARNING_SHARE} AS response_warning_at,
                created + resolution * ${sla.SLA_WARNING_SHARE} AS resolution_warning_at,
                CASE WHEN j % 3 <> 0 AND created + response * 0.5 < $1::timestamptz THEN created + response * 0.5 END
                  AS first_response_at,
                NULL::timestamptz AS resolved_at, NULL::timestamptz AS closed_at,
                CASE WHEN j % 5 = 3 THEN $1::timestamptz - interval '1 hour' END AS pending_since
         FROM generate_series(1, $2::int) AS j,
              LATERAL (SELECT $1::timestamptz - j * interval '10 minutes' AS created, j % 4 AS k) AS c,
              LATERAL (SELECT ${TARGETS}) AS p
       ) AS t`,
      [now, OPEN_TICKETS],
    );

  /** P1 tickets created 2 h ago and never answered: each one response breach, nothing else due. */
  const seedBreaching = (db, breaches) =>
    db.query(
      `INSERT INTO tickets (${COLUMNS})
       SELECT 'Breaching ticket ' || i, 'Seeded for the scanner benchmark.', 'INCIDENT', 'P1', 'NEW',
              md5('reporter' || i % 5000)::uuid, created, created, created, created + interval '1 hour',
              created + interval '4 hours', NULL, NULL, NULL, NULL, created + interval '48 minutes',
              created + interval '192 minutes', false, false, false, false
       FROM generate_series(1, $2::int) AS i, LATERAL (SELECT $1::timestamptz - interval '2 hours' AS created) AS c`,
      [now, breaches],
    );

  /** The open tickets and closed ones up to `total` rows, in chunks with progress; then VACUUM ANALYZE. */
  async function seed(database, total) {
    const started = Date.now();
    await seedOpen(database.db);
    const chunk = 100_000;
    for (let from = 1; from <= total - OPEN_TICKETS; from += chunk) {
      const to = Math.min(from + chunk - 1, total - OPEN_TICKETS);
      await seedClosed(database.db, from, to);
      log(`  ${database.name}: ${count(to + OPEN_TICKETS)} / ${count(total)} tickets`);
    }
    await database.db.query('VACUUM ANALYZE tickets');
    log(`  ${database.name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** A database of this run, migrated and served by a child process. */
  async function openDatabase(name) {
    await admin.query(`CREATE DATABASE ${name}`);
    created.push(name);
    const url = new URL(options.url);
    url.pathname = `/${name}`;
    const service = fork(new URL(import.meta.url).pathname, ['--serve'], {
      env: { ...process.env, SLA_BENCH_DATABASE_URL: url.toString(), SLA_BENCH_NOW: String(now.getTime()) },
    });
    const replies = [];
    let waiting = null;
    service.on('message', (message) => (waiting ? (waiting(message), (waiting = null)) : replies.push(message)));
    const next = () => (replies.length > 0 ? Promise.resolve(replies.shift()) : new Promise((r) => (waiting = r)));
    await next(); // ready: migrated
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const database = {
      name,
      db,
      /** One scanner pass in the service: wall time, tickets recorded, the service's CPU time. */
      scan: () => (service.send('scan'), next()),
      close: async () => {
        await db.end();
        service.send('close');
        await new Promise((resolve) => service.once('exit', resolve));
      },
    };
    opened.push(database);
    return database;
  }

  /** CPU milliseconds used so far by each PostgreSQL backend of the service on `database` (null: server not local). */
  async function backendCpuMs(database) {
    const { rows } = await database.db.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ticket-service'`,
    );
    const tickMs = 10; // USER_HZ is 100 on Linux
    const used = new Map();
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        used.set(pid, (Number(fields[11]) + Number(fields[12])) * tickMs); // utime, stime
      } catch {
        return null;
      }
    }
    return used;
  }

  async function timeMs(run) {
    const started = performance.now();
    await run();
    return performance.now() - started;
  }

  const stamp = Date.now();
  const admin = new pg.Client({ connectionString: options.url });
  await admin.connect();
  const created = [];
  const opened = [];
  try {
    const small = await openDatabase(`ticket_bench_sla_${stamp}_small`);
    const large = await openDatabase(`ticket_bench_sla_${stamp}_large`);
    log(`seeding ${count(BASELINE_TICKETS)} and ${count(TICKETS)} tickets (${OPEN_TICKETS} open in each)`);
    await seed(small, BASELINE_TICKETS);
    await seed(large, TICKETS);

    const samples = { small: [], large: [], selectOne: [] };
    let recordedWhileNothingDue = 0;
    for (let round = -5; round < ROUNDS; round++) {
      const passes = [await small.scan(), await large.scan()];
      const selectOne = await timeMs(() => admin.query('SELECT 1'));
      if (round < 0) continue; // warm-up
      samples.small.push(passes[0].ms);
      samples.large.push(passes[1].ms);
      samples.selectOne.push(selectOne);
      recordedWhileNothingDue += passes[0].recorded + passes[1].recorded;
    }

    log(`seeding ${count(BREACHES)} newly breached tickets`);
    await seedBreaching(large.db, BREACHES);
    await large.db.query('ANALYZE tickets');
    const backendsBefore = await backendCpuMs(large);
    const burst = await large.scan();
    const backendsAfter = await backendCpuMs(large);
    const { rows: written } = await large.db.query(
      `SELECT (SELECT count(*)::int FROM ticket_history WHERE change_type = 'SLA_BREACH') AS history,
              (SELECT count(*)::int FROM outbox_events WHERE type = 'sla.breached') AS events`,
    );

    const passMs = median(samples.large);
    const baselinePassMs = median(samples.small);
    const selectOneMs = median(samples.selectOne);
    const databaseCpuMs =
      backendsBefore === null || backendsAfter === null
        ? null
        : [...backendsAfter].reduce((sum, [pid, ms]) => sum + ms - (backendsBefore.get(pid) ?? 0), 0);
    const result = {
      tickets: TICKETS,
      baseline_tickets: BASELINE_TICKETS,
      open_tickets: OPEN_TICKETS,
      pass_ms: Number(passMs.toFixed(2)),
      baseline_pass_ms: Number(baselinePassMs.toFixed(2)),
      pass_growth_ratio: Number((passMs / baselinePassMs).toFixed(2)),
      select_one_ms: Number(selectOneMs.toFixed(3)),
      pass_vs_select_one: Number((passMs / selectOneMs).toFixed(1)),
      recorded_while_nothing_due: recordedWhileNothingDue,
      breaches: burst.recorded,
      burst_ms: Math.round(burst.ms),
      breaches_per_second: Math.round(burst.recorded / (burst.ms / 1000)),
      burst_service_cpu_ms: Math.round(burst.cpuMs),
      burst_database_cpu_ms: databaseCpuMs,
      history_rows: written[0].history,
      events: written[0].events,
    };
    if (options.json) {
      console.log(JSON.stringify({ benchmark: 'sla-scan', database: 'PostgreSQL', ...result }));
    } else {
      const cpu = `service ${count(result.burst_service_cpu_ms)} ms + database ${databaseCpuMs === null ? 'n/a' : `${count(databaseCpuMs)} ms`}`;
      console.log(
        [
          `| measure (median of ${ROUNDS} interleaved rounds) | value |`,
          `|---|---|`,
          `| pass, nothing due, ${count(TICKETS)} tickets (${OPEN_TICKETS} open) | ${result.pass_ms} ms |`,
          `| pass, nothing due, ${count(BASELINE_TICKETS)} tickets (${OPEN_TICKETS} open) | ${result.baseline_pass_ms} ms |`,
          `| growth ${count(BASELINE_TICKETS)} → ${count(TICKETS)} | ${result.pass_growth_ratio}× |`,
          `| bare \`SELECT 1\` round-trip | ${result.select_one_ms} ms (pass at ${count(TICKETS)} = ${result.pass_vs_select_one}×) |`,
          `| recorded by the passes with nothing due | ${result.recorded_while_nothing_due} |`,
          `| burst: ${count(result.breaches)} breaches recorded in one pass | ${count(result.burst_ms)} ms, **${count(result.breaches_per_second)}/s** |`,
          `| burst: written | ${count(result.history_rows)} SLA_BREACH rows, ${count(result.events)} sla.breached events |`,
          `| burst: CPU time | ${cpu} |`,
        ].join('\n'),
      );
    }
  } finally {
    for (const database of opened) await database.close();
    for (const name of created) {
      if (options.keep) log(`kept database ${name}`);
      else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    await admin.end();
  }
}
