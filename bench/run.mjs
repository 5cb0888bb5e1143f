// The benchmark harness of issue 10. Everything it reports is measured in one run, next to a baseline measured
// in the same run, and given as a ratio: this machine is shared and noisy, so only same-run ratios compare.
//
//   npm run bench [-- --quick] [--skip-1m] [--tickets-large N] [--pglite] [--seed S] [--no-build] [--out FILE]
//
// PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres): builds, creates fresh
// databases, seeds 10k and --tickets-large (1M) tickets with bench/seed.mjs and starts the built service on
// each (child processes), then
//   1. every list/search case at concurrency 1: the API's median and that of the same SQL, captured from the
//      service while it answered, replayed directly; 10k against 1M, and against GET one ticket;
//   2. EXPLAIN (ANALYZE, BUFFERS) of every list statement at 1M;
//   3. GET and POST /tickets at saturation (autocannon, 32 keep-alive connections, medians of 3 interleaved
//      rounds) against a bare node:http + pg server doing the same select by id and a two-insert transaction;
//   4. bench/sla-scan.mjs, bench/webhooks.mjs and bench/upload.mjs (their --json line);
// and writes its section of docs/benchmarks.md; the databases are dropped at the end.
// --quick: 10k only and short rounds, for CI (which does not judge timings). --pglite: the list cases on the
// embedded database at 10k and 100k (the service runs in this process there: only it can reach that database).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import * as prettier from 'prettier';
import { COMMON_WORD, createRng, RARE_WORD, TEAM_NAMES, VOCABULARY } from './seed.mjs';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}apps/ticket-service/dist/apps/ticket-service/src`;
const SERVICE_MAIN = `${DIST}/main.js`;
const SECRET = 'benchmark-secret-with-at-least-32-characters';
const SMALL = 10_000;
const CONNECTIONS = 32;
/** The service's default pool; the baseline gets the same. */
const POOL_SIZE = 10;
const GET_IDS = 200;

/** Durations and sample counts: the full run, and --quick (a few seconds per case). */
const PROFILES = {
  full: { rounds: 3, saturateSeconds: 10, warmSeconds: 10, listSamples: 5, listBudgetMs: 6000 },
  quick: { rounds: 3, saturateSeconds: 2, warmSeconds: 1, listSamples: 2, listBudgetMs: 1000 },
};

/** Targets of issue 10, point 3. */
const TARGETS = {
  throughputRatio: 0.5,
  growth: 1.5,
  versusGet: 3,
  versusGetRelevance: 10,
};

const SCRIPT_TARGETS = {
  'sla-scan': {
    pass_ms: { max: 50, label: 'pass over the large table, nothing due ≤ 50 ms' },
    breaches_per_second: { min: 5000, label: 'burst of breaches recorded ≥ 5,000/s' },
  },
  webhooks: {
    deliveries_per_s: { min: 1000, label: 'deliveries ≥ 1,000/s' },
    lag_p99_ms: {
      max: 999,
      label: 'outbox lag p99 < 1 s at 300 creates/s',
      // The target holds at 300 creates/s; when the service cannot create that fast, the lag says less.
      judged: (result) => result.creates_per_s >= 0.9 * result.rate_target,
    },
    events_lag_p99_ms: {
      max: 999,
      label: 'outbox lag p99 < 1 s at 300 events/s, each committed as a create commits it',
      judged: (result) => result.events_per_s >= 0.9 * result.rate_target,
    },
  },
  upload: {
    service_rss_growth_mib: { max: 31.99, label: 'RSS growth < 32 MiB' },
    ratio: { min: 0.5, label: 'throughput ≥ 0.5× bare stream-to-disk' },
    // Issue 13: the object-store drivers keep a 50 MiB upload's RSS growth under 32 MiB too.
    s3_service_rss_growth_mib: { max: 31.99, label: 'RSS growth < 32 MiB (S3 driver)' },
    azure_service_rss_growth_mib: { max: 31.99, label: 'RSS growth < 32 MiB (Azure driver)' },
  },
};

const started = performance.now();
const log = (line) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);
const count = (n) => n.toLocaleString('en');
const median = (samples) => {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** Milliseconds with three significant digits or so. */
function ms(value) {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0);
}
const ratio = (value) =>
  value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(value < 10 ? 2 : 1)}×`;

/** Processes and databases to clean up, also on Ctrl-C. */
const cleanups = [];
async function cleanUp() {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    await cleanup().catch((error) => log(`clean-up: ${error.message}`));
  }
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'skip-1m': { type: 'boolean', default: false },
      'tickets-large': { type: 'string' },
      pglite: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      'no-build': { type: 'boolean', default: false },
      'lists-only': { type: 'boolean', default: false },
      out: { type: 'string', default: `${ROOT}docs/benchmarks.md` },
    },
  });
  const large = Number(values['tickets-large'] ?? (values.pglite ? 100_000 : 1_000_000));
  const sizes = values.quick || values['skip-1m'] ? [SMALL] : [SMALL, large];
  return {
    quick: values.quick,
    pglite: values.pglite,
    seed: values.seed,
    build: !values['no-build'],
    out: values.out,
    sizes,
    profile: PROFILES[values.quick ? 'quick' : 'full'],
    listsOnly: values['lists-only'],
    section: `${values.pglite ? 'pglite' : 'postgres'}${values.quick ? '-quick' : ''}${values['lists-only'] ? `-lists-${sizeLabel(large).toLowerCase()}` : ''}`,
    serverUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

const sizeLabel = (tickets) =>
  tickets >= 1_000_000 && tickets % 1_000_000 === 0 ? `${tickets / 1_000_000}M` : `${tickets / 1000}k`;

/** Runs a command; resolves with its stdout, rejects with the tail of its stderr. stderr also streams to ours. */
function run(command, args, { env = process.env, quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
      if (!quiet) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(
            new Error(`${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`),
          ),
    );
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function adminQuery(serverUrl, sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database on the server, dropped at the end of the run. */
async function createDatabase(serverUrl, suffix) {
  const name = `ticket_bench_${suffix}_${Date.now()}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  cleanups.push(() => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The environment of every measured service: periodic jobs are measured by their own scripts, not in here. */
function serviceEnv(database) {
  return {
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'error',
    DOCS_ENABLED: 'false',
    JWT_SECRET_KEY: SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    SLA_CHECK_INTERVAL_SECONDS: '86400',
    WEBHOOK_DISPATCH_INTERVAL_MS: '3600000',
    ...database,
  };
}

function withoutDatabaseUrl(env) {
  const { DATABASE_URL: _unused, ...rest } = env;
  return rest;
}

async function waitReady(base, deadlineMs = 120_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${base} did not become ready`);
    await sleep(100);
  }
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The built service as a child process, exactly as `npm start` runs it. */
async function startService(databaseUrl) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--expose-gc', SERVICE_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...serviceEnv({ DATABASE_URL: databaseUrl }),
      HOST: '127.0.0.1',
      SERVICE_PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => stopChild(child);
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { base, pid: child.pid, stop };
}

/** The service in this process (createApp, as main.ts does): for capturing its SQL, and for the embedded database. */
async function startInProcess(database) {
  const { createApp } = require(`${DIST}/app.setup.js`);
  const { parseConfig } = require(`${DIST}/config/app-config.js`);
  const { createRootLogger } = require(`${DIST}/common/logging/logger.js`);
  const { DATABASE_ENDPOINT } = require(`${DIST}/database/database.module.js`);
  const config = parseConfig(serviceEnv(database));
  const app = await createApp(config, { logger: createRootLogger('error') });
  await app.listen(0, '127.0.0.1');
  const close = () => app.close();
  cleanups.push(close);
  return {
    base: `http://127.0.0.1:${app.getHttpServer().address().port}`,
    sqlUrl: app.get(DATABASE_ENDPOINT).settings.url,
    close,
  };
}

/**
 * Every statement the pg driver sends while `during` runs: the service's own SQL as it ran it, whether the ORM,
 * a query builder or hand-written SQL produced it. Only the service talks to the database meanwhile.
 */
async function recordStatements(during) {
  const original = pg.Client.prototype.query;
  const statements = [];
  pg.Client.prototype.query = function recorded(config, values, callback) {
    const text = typeof config === 'string' ? config : config?.text;
    const params = typeof config === 'string' ? values : config?.values;
    if (text) statements.push({ text, values: Array.isArray(params) ? params : [] });
    return original.call(this, config, values, callback);
  };
  try {
    await during();
  } finally {
    pg.Client.prototype.query = original;
  }
  return statements;
}

function token() {
  return jwt.sign({ sub: randomUUID(), role: 'DEVOPS_ENGINEER', type: 'access' }, SECRET, { expiresIn: '12h' });
}

async function timedGet(url, headers) {
  const begin = performance.now();
  const res = await fetch(url, { headers });
  const body = await res.text();
  const elapsed = performance.now() - begin;
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 300)}`);
  return { ms: elapsed, body, totalExact: res.headers.get('x-total-exact') };
}

/** Replays a request's statements on one connection, in order; returns each one's time. */
async function replay(client, statements) {
  const times = [];
  try {
    for (const { text, values } of statements) {
      const begin = performance.now();
      await client.query(text, values);
      times.push(performance.now() - begin);
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return times;
}

const oneLine = (sql) => sql.replace(/\s+/g, ' ').trim();
const isQuery = (sql) => /^(SELECT|WITH)\b/i.test(oneLine(sql));

/** The list cases of issue 10, and GET one ticket (the yardstick of the "≤ 3× GET" target). */
function listCases(teamId) {
  const list = '/api/v1/tickets';
  return [
    { key: 'get', label: 'GET /tickets/{id}', get: true },
    { key: 'default', label: 'default list', path: list },
    { key: 'page500', label: 'page=500 (deep page)', path: `${list}?page=500` },
    { key: 'priority', label: 'sort_by=priority&order=asc', path: `${list}?sort_by=priority&order=asc` },
    { key: 'rare', label: `q rare word (\`${RARE_WORD}\`)`, path: `${list}?q=${RARE_WORD}` },
    { key: 'common', label: `q common word (\`${COMMON_WORD}\`)`, path: `${list}?q=${COMMON_WORD}` },
    {
      key: 'relevance',
      label: 'q common word, sort_by=relevance',
      path: `${list}?q=${COMMON_WORD}&sort_by=relevance`,
      relevance: true,
    },
    { key: 'tags', label: 'tags=database', path: `${list}?tags=database` },
    { key: 'team', label: `team_id (${TEAM_NAMES[0]}) + status=NEW`, path: `${list}?team_id=${teamId}&status=NEW` },
  ];
}

/** Evenly spread, existing tickets for GET; the first team's id for the team filter. */
async function sampleTargets(client, tickets) {
  const step = Math.max(1, Math.floor(tickets / GET_IDS));
  const numbers = Array.from({ length: Math.min(GET_IDS, tickets) }, (_, i) => 1 + i * step);
  const { rows } = await client.query(
    `SELECT id FROM tickets WHERE ticket_number = ANY($1::bigint[]) AND deleted_at IS NULL ORDER BY ticket_number`,
    [numbers],
  );
  const team = await client.query(`SELECT id FROM teams WHERE name = $1`, [TEAM_NAMES[0]]);
  return { ids: rows.map((row) => row.id), teamId: team.rows[0].id };
}

/** The request a case sends, with `sample` picking the ticket for GET. */
function caseUrl(target, benchCase, sample) {
  return `${target.base}${benchCase.get ? `/api/v1/tickets/${target.ids[sample % target.ids.length]}` : benchCase.path}`;
}

/** The statements to replay for a sample: GET's captured id swapped for the sample's. */
function caseStatements(target, benchCase, sample) {
  const statements = target.statements.get(benchCase.key);
  if (!benchCase.get) return statements;
  const id = target.ids[sample % target.ids.length];
  return statements.map(({ text, values }) => ({
    text,
    values: values.map((value) => (value === target.ids[0] ? id : value)),
  }));
}

/** Captures each case's SQL from a service running in this process (after one uncaptured warm-up request). */
async function captureCases(target, cases, headers, base) {
  target.statements = new Map();
  for (const benchCase of cases) {
    await timedGet(caseUrl({ ...target, base }, benchCase, 0), headers);
    const statements = await recordStatements(() => timedGet(caseUrl({ ...target, base }, benchCase, 0), headers));
    if (!statements.some((statement) => isQuery(statement.text)))
      throw new Error(`no query captured for ${benchCase.label}`);
    target.statements.set(benchCase.key, statements);
  }
}

/** One API request of a case and one replay of its SQL; a failure (say, a statement timeout) is counted, not fatal. */
async function sampleCase(target, benchCase, headers, record) {
  const result = target.results.get(benchCase.key);
  const sample = result.api.length + result.failures;
  try {
    const { ms: apiMs, body, totalExact } = await timedGet(caseUrl(target, benchCase, sample), headers);
    const times = await replay(target.client, caseStatements(target, benchCase, sample));
    if (!record) {
      const page = JSON.parse(body);
      // An estimated total is flagged in the body or in the X-Total-Exact header.
      return { total: page.total, exact: page.total_exact ?? totalExact !== 'false' };
    }
    result.api.push(apiMs);
    result.sql.push(times.reduce((sum, time) => sum + time, 0));
    result.statements.push(times);
  } catch (error) {
    result.failures++;
    result.error ??= error.message;
    log(`${benchCase.label} at ${target.label}: ${error.message}`);
  }
  return null;
}

/**
 * Concurrency 1, interleaved: each round takes every case on every database in turn, alternating an API request
 * and a replay of its SQL, so drift on the shared machine spreads over all of them alike.
 */
async function measureListCases(targets, cases, headers, profile) {
  for (const target of targets) {
    target.results = new Map(
      cases.map((benchCase) => [benchCase.key, { api: [], sql: [], statements: [], failures: 0 }]),
    );
    // Warm-up (caches, connections), not recorded; it also reads each case's total.
    for (const benchCase of cases) {
      const page = await sampleCase(target, benchCase, headers, false);
      Object.assign(target.results.get(benchCase.key), { total: page?.total, totalExact: page?.exact });
    }
  }
  for (let round = 0; round < profile.rounds; round++) {
    log(`list cases: round ${round + 1} of ${profile.rounds}`);
    for (const benchCase of cases) {
      for (const target of targets) {
        const result = target.results.get(benchCase.key);
        const begin = performance.now();
        for (let i = 0; i < profile.listSamples && (i === 0 || performance.now() - begin < profile.listBudgetMs); i++) {
          if (result.failures >= 3) break;
          await sampleCase(target, benchCase, headers, true);
        }
      }
    }
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each query statement of each list case. */
async function explainCases(target, cases) {
  const plans = new Map();
  for (const benchCase of cases.filter((candidate) => !candidate.get)) {
    const explained = [];
    for (const { text, values } of target.statements
      .get(benchCase.key)
      .filter((statement) => isQuery(statement.text))) {
      const plan = await target.client
        .query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)
        .then(({ rows }) => rows.map((row) => row['QUERY PLAN']).join('\n'))
        .catch((error) => `EXPLAIN failed: ${error.message}`);
      explained.push({ sql: oneLine(text), plan });
    }
    plans.set(benchCase.key, explained);
  }
  return plans;
}

/** User + system CPU ms so far of a local process, all threads (/proc counts in 1/100 s); null when unreadable. */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** CPU ms so far of every other backend on the client's database, by pid; null when the server is not local. */
async function databaseCpuMs(client) {
  const { rows } = await client.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const used = new Map();
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms === null) return null;
    used.set(pid, ms);
  }
  return used;
}

/** CPU ms the backends spent between two readings (a backend gone by the second reading was idle: pools keep theirs). */
function databaseCpuSpent(before, after) {
  if (before === null || after === null) return null;
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/**
 * One autocannon run: 32 keep-alive connections for `seconds` against `server` ({ base, pid }), with the CPU the
 * server process and the database's backends spent per answered request (µs; null where /proc cannot tell).
 */
async function saturate(server, request, seconds, database) {
  const before = { server: processCpuMs(server.pid), database: await databaseCpuMs(database) };
  const result = await new Promise((resolve, reject) => {
    autocannon(
      { url: server.base, connections: CONNECTIONS, duration: seconds, requests: [request] },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
  });
  const after = { server: processCpuMs(server.pid), database: await databaseCpuMs(database) };
  const answered = result['2xx'];
  const perRequest = (spentMs) => (spentMs === null || answered === 0 ? null : (1000 * spentMs) / answered);
  return {
    rps: answered / result.duration,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    serverCpuUs: perRequest(before.server === null || after.server === null ? null : after.server - before.server),
    databaseCpuUs: perRequest(databaseCpuSpent(before.database, after.database)),
  };
}

function ticketBody(rng) {
  const words = (n) => Array.from({ length: n }, () => VOCABULARY[rng.int(300)]).join(' ');
  return JSON.stringify({
    title: `Benchmark ${words(6)}`,
    description: `${words(30)}.`,
    category: 'INCIDENT',
    priority: 'P3',
    environment: 'PRODUCTION',
    affected_service: 'payments-api',
    impact_level: 'HIGH',
    tags: ['database', 'latency'],
  });
}

/**
 * GET by id and POST (with an Idempotency-Key, as internal callers send it) for the service and the baseline.
 * Every request gets headers of its own: autocannon adds Content-Length to the object it is given.
 */
function throughputSeries(service, baseline, framework, ids, headers) {
  const rng = createRng(7);
  let next = 0;
  const get = {
    method: 'GET',
    setupRequest: (req) => ({ ...req, headers: { ...headers }, path: `/api/v1/tickets/${ids[next++ % ids.length]}` }),
  };
  const post = (withKey) => ({
    method: 'POST',
    path: '/api/v1/tickets',
    setupRequest: (req) => ({
      ...req,
      headers: {
        ...headers,
        'content-type': 'application/json',
        ...(withKey ? { 'idempotency-key': randomUUID() } : {}),
      },
      body: ticketBody(rng),
    }),
  });
  return [
    {
      label: 'GET /tickets/{id}',
      baselineLabel: 'select by id',
      service: [service, get],
      baseline: [baseline, get],
      framework: [framework, get],
    },
    {
      label: 'POST /tickets',
      baselineLabel: 'two-insert transaction',
      service: [service, post(true)],
      baseline: [baseline, post(false)],
      framework: [framework, post(false)],
    },
    {
      // Not a target: the same create as the baselines' in statements (BEGIN, ticket, the commit statement,
      // COMMIT), so what is left between them is the service's own work per create.
      label: 'POST /tickets without Idempotency-Key',
      informational: true,
      baselineLabel: 'two-insert transaction',
      service: [service, post(false)],
      baseline: [baseline, post(false)],
      framework: [framework, post(false)],
    },
  ];
}

async function measureThroughput(series, profile, database) {
  for (const item of series) {
    log(`saturation warm-up: ${item.label}`);
    await saturate(...item.service, profile.warmSeconds, database);
    await saturate(...item.baseline, profile.warmSeconds, database);
    await saturate(...item.framework, profile.warmSeconds, database);
    item.runs = { service: [], baseline: [], framework: [] };
  }
  for (let round = 0; round < profile.rounds; round++) {
    for (const item of series) {
      log(`saturation round ${round + 1} of ${profile.rounds}: ${item.label}, service, baseline, bare NestJS`);
      item.runs.service.push(await saturate(...item.service, profile.saturateSeconds, database));
      item.runs.baseline.push(await saturate(...item.baseline, profile.saturateSeconds, database));
      item.runs.framework.push(await saturate(...item.framework, profile.saturateSeconds, database));
    }
  }
}

/** A baseline of bench/baseline-servers.mjs (`bare` or `nest`) on the same database, as a child process. */
async function startBaseline(kind, databaseUrl) {
  const port = await freePort();
  const child = spawn(process.execPath, [`${ROOT}bench/baseline-servers.mjs`, kind], {
    cwd: ROOT,
    env: { ...process.env, BASELINE_DATABASE_URL: databaseUrl, BASELINE_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => stopChild(child);
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { base, pid: child.pid, stop };
}

/** The other benchmark scripts, as their owners wrote them; each prints one JSON line with --json. */
function scriptRuns(quick) {
  return [
    {
      name: 'sla-scan',
      title: 'SLA breach scanner (bench/sla-scan.mjs)',
      args: quick ? ['--tickets', '20000', '--baseline-tickets', '2000', '--breaches', '500'] : [],
    },
    {
      name: 'webhooks',
      title: 'Webhook dispatcher (bench/webhooks.mjs)',
      args: quick ? ['--duration', '2', '--backlog', '500'] : [],
    },
    { name: 'upload', title: '50 MiB uploads (bench/upload.mjs)', args: [], env: quick ? { BENCH_UPLOADS: '1' } : {} },
  ];
}

async function runScripts(serverUrl, quick) {
  const results = [];
  for (const script of scriptRuns(quick)) {
    log(`running bench/${script.name}.mjs ${script.args.join(' ')}`);
    const begin = performance.now();
    try {
      const stdout = await run(process.execPath, [`bench/${script.name}.mjs`, '--json', ...script.args], {
        env: { ...process.env, BENCH_DATABASE_URL: serverUrl, ...script.env },
      });
      const line = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((candidate) => candidate.startsWith('{'));
      if (!line) throw new Error(`no JSON line in its output: ${stdout.slice(-300)}`);
      results.push({ ...script, result: JSON.parse(line), seconds: (performance.now() - begin) / 1000 });
    } catch (error) {
      log(`bench/${script.name}.mjs failed: ${error.message}`);
      results.push({ ...script, error: error.message });
    }
  }
  return results;
}

async function machine(client) {
  const settings = await client.query(
    `SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS shared_buffers,
            current_setting('work_mem') AS work_mem, current_setting('effective_cache_size') AS effective_cache_size,
            current_setting('max_parallel_workers_per_gather') AS parallel`,
  );
  const git = await run('git', ['rev-parse', '--short', 'HEAD'], { quiet: true }).catch(() => 'unknown');
  const dirty = await run('git', ['status', '--porcelain', '--untracked-files=no'], { quiet: true }).catch(() => '');
  const cpu = cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free at start)`,
    load: loadavg()
      .map((value) => value.toFixed(1))
      .join(' / '),
    os: `Linux ${release()}`,
    node: process.version,
    commit: `${git.trim()}${dirty.trim() ? ' + uncommitted changes' : ''}`,
    database: settings.rows[0],
  };
}

/** Seeds one database with bench/seed.mjs and describes it as a measurement target. */
async function seedTarget(tickets, seed, extraArgs, runOptions) {
  const begin = performance.now();
  const summary = await run(
    process.execPath,
    ['bench/seed.mjs', '--tickets', String(tickets), '--seed', seed, ...extraArgs],
    runOptions,
  );
  return {
    tickets,
    label: sizeLabel(tickets),
    seedSeconds: (performance.now() - begin) / 1000,
    seedSummary: summary.trim(),
  };
}

/** PostgreSQL: seed, capture, measure, explain, saturate, run the other scripts. */
async function benchPostgres(options, report) {
  const admin = new pg.Client({ connectionString: options.serverUrl });
  await admin.connect();
  report.machine = await machine(admin);
  await admin.end();
  const targets = [];
  for (const tickets of options.sizes) {
    const url = await createDatabase(options.serverUrl, sizeLabel(tickets).toLowerCase());
    log(`seeding ${count(tickets)} tickets`);
    targets.push({ url, ...(await seedTarget(tickets, options.seed, ['--database-url', url])) });
  }
  report.targets = targets;
  const headers = { authorization: `Bearer ${token()}` };
  for (const target of targets) {
    target.client = new pg.Client({ connectionString: target.url, application_name: 'bench-replay' });
    await target.client.connect();
    cleanups.push(() => target.client.end());
    Object.assign(target, await sampleTargets(target.client, target.tickets));
    log(`capturing the service's SQL at ${target.label}`);
    const capturing = await startInProcess({ DATABASE_URL: target.url });
    await captureCases(target, listCases(target.teamId), headers, capturing.base);
    await capturing.close();
    cleanups.splice(cleanups.indexOf(capturing.close), 1);
  }
  for (const target of targets) {
    target.service = await startService(target.url);
    target.base = target.service.base;
  }
  const cases = listCases(targets[0].teamId);
  report.cases = cases;
  await measureListCases(targets, cases, headers, options.profile);
  const largest = targets[targets.length - 1];
  log(`EXPLAIN (ANALYZE, BUFFERS) at ${largest.label}`);
  report.plans = await explainCases(largest, cases);
  for (const target of targets.slice(0, -1)) await target.service.stop();
  if (options.listsOnly) {
    await largest.service.stop();
    return;
  }

  const baseline = await startBaseline('bare', largest.url);
  const framework = await startBaseline('nest', largest.url);
  report.throughput = throughputSeries(largest.service, baseline, framework, largest.ids, headers);
  await measureThroughput(report.throughput, options.profile, largest.client);
  await baseline.stop();
  await framework.stop();
  await largest.service.stop();
  report.scripts = await runScripts(options.serverUrl, options.quick);
}

/**
 * PGlite: the list cases only, on the embedded database, with the service in this process — one size after the
 * other, as two apps cannot share a process (@nestjs-cls/transactional keeps its transaction host in a
 * process-wide map: the second app's would serve the first one's requests).
 */
async function benchPglite(options, report) {
  const directory = mkdtempSync(join(tmpdir(), 'ticket-bench-pglite-'));
  cleanups.push(async () => rmSync(directory, { recursive: true, force: true }));
  const targets = [];
  for (const tickets of options.sizes) {
    const dataDir = join(directory, sizeLabel(tickets));
    log(`seeding ${count(tickets)} tickets into the embedded database`);
    const env = { ...withoutDatabaseUrl(process.env), PGLITE_DATA_DIR: dataDir };
    targets.push({ dataDir, ...(await seedTarget(tickets, options.seed, [], { env })) });
  }
  report.targets = targets;
  const headers = { authorization: `Bearer ${token()}` };
  for (const target of targets) {
    const service = await startInProcess({ PGLITE_DATA_DIR: target.dataDir });
    target.base = service.base;
    target.client = new pg.Client({ connectionString: service.sqlUrl, application_name: 'bench-replay' });
    await target.client.connect();
    Object.assign(target, await sampleTargets(target.client, target.tickets));
    report.machine ??= await machine(target.client);
    const cases = listCases(target.teamId);
    report.cases = cases;
    await captureCases(target, cases, headers, target.base);
    await measureListCases([target], cases, headers, options.profile);
    if (target === targets[targets.length - 1]) {
      log(`EXPLAIN (ANALYZE, BUFFERS) at ${target.label}`);
      report.plans = await explainCases(target, cases);
    }
    await target.client.end();
    await service.close();
    cleanups.splice(cleanups.indexOf(service.close), 1);
  }
}

// ——— the report ———

function listSummary(report) {
  const { targets, cases } = report;
  const largest = targets[targets.length - 1];
  const getMedian = median(largest.results.get('get').api);
  return cases.map((benchCase) => {
    const per = targets.map((target) => {
      const result = target.results.get(benchCase.key);
      return {
        api: median(result.api),
        slowest: Math.max(...result.api),
        sql: median(result.sql),
        total: result.total,
        exact: result.totalExact,
        failed: result.failures ? `${target.label}: ${result.failures} failed (${result.error.slice(0, 120)})` : null,
      };
    });
    const small = per[0];
    const large = per[per.length - 1];
    const growth = targets.length > 1 ? large.api / small.api : undefined;
    const versusGet = large.api / getMedian;
    const limit = benchCase.relevance ? TARGETS.versusGetRelevance : TARGETS.versusGet;
    // GET one ticket is the yardstick, with no target of its own.
    const misses = [];
    if (!benchCase.get && growth !== undefined && growth > TARGETS.growth) misses.push(`growth > ${TARGETS.growth}×`);
    if (!benchCase.get && versusGet > limit) misses.push(`> ${limit}× GET`);
    misses.push(...per.map((item) => item.failed).filter(Boolean));
    return { benchCase, per, growth, versusGet, limit, misses, sqlShare: large.sql / large.api };
  });
}

function listTable(report) {
  const { targets } = report;
  const largest = targets[targets.length - 1];
  const rows = listSummary(report);
  const sizes = targets.map((target) => target.label);
  const header = [
    'case',
    ...targets.flatMap((target) => [`API ${target.label} ms`, `SQL ${target.label} ms`]),
    `SQL share at ${largest.label}`,
    ...(report.listsOnly ? [`slowest API at ${largest.label} ms`] : []),
    ...(targets.length > 1 ? [`growth ${sizes[sizes.length - 1]}/${sizes[0]}`] : []),
    `÷ GET at ${largest.label}`,
    'matches',
    'targets',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const matches = row.benchCase.get
      ? '1'
      : row.per
          .map((per) => (per.total === undefined ? '—' : `${count(per.total)}${per.exact === false ? ' (est.)' : ''}`))
          .join(' / ');
    const checked = [...(targets.length > 1 ? [`≤ ${TARGETS.growth}×`] : []), `≤ ${row.limit}× GET`];
    const target = row.benchCase.get
      ? row.misses.join(', ') || '—'
      : row.misses.length
        ? `✗ ${row.misses.join(', ')}`
        : `✓ (${checked.join(', ')})`;
    lines.push(
      `| ${[
        row.benchCase.label,
        ...row.per.flatMap((per) => [ms(per.api), ms(per.sql)]),
        `${(row.sqlShare * 100).toFixed(0)}%`,
        ...(report.listsOnly ? [ms(row.per[row.per.length - 1].slowest)] : []),
        ...(targets.length > 1 ? [ratio(row.growth)] : []),
        ratio(row.versusGet),
        matches,
        target,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Median server and database CPU per request over the rounds, as "server + database = total" µs. */
function cpuPerRequest(runs) {
  if (runs.some((run) => run.serverCpuUs === null || run.databaseCpuUs === null)) return 'n/a';
  const server = median(runs.map((run) => run.serverCpuUs));
  const database = median(runs.map((run) => run.databaseCpuUs));
  return `${count(Math.round(server))} + ${count(Math.round(database))} = ${count(Math.round(server + database))}`;
}

function throughputTable(series) {
  const lines = [
    '| route | service req/s | baseline | baseline req/s | ratio | target | bare NestJS req/s | NestJS ÷ baseline | service ÷ NestJS | service p99 ms | baseline p99 ms | failures | CPU µs per request: service (server + database) | baseline | bare NestJS |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const item of series) {
    const service = median(item.runs.service.map((r) => r.rps));
    const baseline = median(item.runs.baseline.map((r) => r.rps));
    const framework = median(item.runs.framework.map((r) => r.rps));
    const value = service / baseline;
    const failures = [...item.runs.service, ...item.runs.baseline, ...item.runs.framework].reduce(
      (sum, r) => sum + r.failures,
      0,
    );
    lines.push(
      `| ${item.label} | ${count(Math.round(service))} | ${item.baselineLabel} | ${count(Math.round(baseline))} | ${ratio(value)} | ${item.informational ? 'none (for comparison)' : `${value >= TARGETS.throughputRatio ? '✓' : '✗'} ≥ ${TARGETS.throughputRatio}×`} | ${count(Math.round(framework))} | ${ratio(framework / baseline)} | ${ratio(service / framework)} | ${median(item.runs.service.map((r) => r.p99))} | ${median(item.runs.baseline.map((r) => r.p99))} | ${failures} | ${cpuPerRequest(item.runs.service)} | ${cpuPerRequest(item.runs.baseline)} | ${cpuPerRequest(item.runs.framework)} |`,
    );
  }
  const rounds = series.map(
    (item) =>
      `${item.label}: ${item.runs.service.map((r) => Math.round(r.rps)).join(', ')} vs ${item.runs.baseline.map((r) => Math.round(r.rps)).join(', ')} vs ${item.runs.framework.map((r) => Math.round(r.rps)).join(', ')}`,
  );
  return `${lines.join('\n')}\n\nRounds (req/s, service vs baseline vs bare NestJS) — ${rounds.join('; ')}.`;
}

function verdict(target, value, result) {
  if (!target) return '';
  if (target.judged && !target.judged(result)) return `not judged (conditions not reached): ${target.label}`;
  const met = target.max !== undefined ? value <= target.max : value >= target.min;
  return `${met ? '✓' : '✗'} ${target.label}`;
}

function scriptTable(script) {
  if (script.error) return `**Failed:** ${script.error}`;
  const targets = SCRIPT_TARGETS[script.name] ?? {};
  const lines = ['| measure | value | target |', '|---|---|---|'];
  for (const [key, value] of Object.entries(script.result)) {
    if (typeof value === 'string') continue;
    lines.push(
      `| \`${key}\` | ${typeof value === 'number' ? count(value) : String(value)} | ${verdict(targets[key], value, script.result)} |`,
    );
  }
  for (const [key, target] of Object.entries(targets)) {
    if (!(key in script.result)) lines.push(`| \`${key}\` | not reported | ${target.label} |`);
  }
  const command = ['node', `bench/${script.name}.mjs`, '--json', ...script.args].join(' ');
  const env = Object.entries(script.env ?? {}).map(([name, value]) => `${name}=${value} `);
  return `\`${env.join('')}${command}\` (${script.seconds.toFixed(0)} s)\n\n${lines.join('\n')}`;
}

function statementTable(target, benchCase) {
  const result = target.results.get(benchCase.key);
  const statements = target.statements.get(benchCase.key);
  return statements
    .map(
      (statement, i) =>
        `${i + 1}. ${ms(median(result.statements.map((times) => times[i])))} ms — \`${oneLine(statement.text).slice(0, 110)}${oneLine(statement.text).length > 110 ? '…' : ''}\``,
    )
    .join('\n');
}

function plansSection(report) {
  const largest = report.targets[report.targets.length - 1];
  const parts = [];
  for (const benchCase of report.cases.filter((candidate) => !candidate.get)) {
    parts.push(`#### ${benchCase.label} — \`${benchCase.path}\``);
    parts.push(
      `Statements the request ran, median time of each when replayed:\n\n${statementTable(largest, benchCase)}`,
    );
    const plans = report.plans
      .get(benchCase.key)
      .map(({ sql, plan }) => `\`\`\`sql\n${sql}\n\`\`\`\n\n\`\`\`\n${plan}\n\`\`\``);
    parts.push(
      `<details><summary>EXPLAIN (ANALYZE, BUFFERS) of its ${plans.length} queries</summary>\n\n${plans.join('\n\n')}\n\n</details>`,
    );
  }
  return parts.join('\n\n');
}

function setupLines(report, options) {
  const m = report.machine;
  const db = m.database;
  return [
    `- Run: ${m.date}, commit ${m.commit}, \`npm run bench${options.argv.length ? ` -- ${options.argv.join(' ')}` : ''}\` (${((performance.now() - started) / 60000).toFixed(1)} min in all).`,
    `- Machine: ${m.cpu}, ${m.memory}, ${m.os}, Node ${m.node}; load average at start ${m.load} (shared with other work).`,
    `- Database: ${options.pglite ? `PGlite (PostgreSQL ${db.version}) embedded in the service's process` : `PostgreSQL ${db.version}`} — shared_buffers ${db.shared_buffers}, work_mem ${db.work_mem}, effective_cache_size ${db.effective_cache_size}, max_parallel_workers_per_gather ${db.parallel}.`,
    `- Data: \`npm run seed -- --tickets N --seed ${options.seed}\`; ${report.targets.map((target) => `${target.label} seeded in ${target.seedSeconds.toFixed(0)} s`).join(', ')}.`,
    ...report.targets.map(
      (target) =>
        `  - ${target.label}: ${target.seedSummary
          .split('\n')
          .map((line) => line.trim())
          .join('; ')}`,
    ),
  ].join('\n');
}

function renderSection(report, options) {
  const largest = report.targets[report.targets.length - 1];
  const database = options.pglite ? 'PGlite (embedded)' : 'PostgreSQL';
  const sizes = report.targets.map((target) => target.label).join(' and ');
  const title = `## ${database}${options.quick ? ' — quick run (CI; timings not judged)' : ''} — ${sizes}`;
  const parts = [
    title,
    setupLines(report, options),
    `### List and search at concurrency 1`,
    `Median of ${options.profile.rounds} rounds of up to ${options.profile.listSamples} requests per case and database, interleaving the cases${options.pglite ? ' (the sizes one after the other: two embedded services cannot share this process)' : ' and the databases'}. "API" is the request as a client sees it; "SQL" is the same statements the service sent for it (captured from the service, in order: on PostgreSQL its search connections send them with no transaction around them, on PGlite in a transaction that sets the timeout), replayed on one connection. Targets (issue 10): ${report.targets.length > 1 ? `${largest.label} ≤ ${TARGETS.growth}× ${report.targets[0].label}, and ` : ''}≤ ${TARGETS.versusGet}× GET one ticket at ${largest.label} (relevance ≤ ${TARGETS.versusGetRelevance}×). "matches" is the response's \`total\` ("est." where the service marks it as an estimate).`,
    listTable(report),
  ];
  if (report.throughput) {
    parts.push(
      `### GET and POST at saturation (${largest.label} tickets)`,
      `autocannon, ${CONNECTIONS} keep-alive connections, median of ${options.profile.rounds} rounds of ${options.profile.saturateSeconds} s, service, baseline and bare NestJS in turn (after a ${options.profile.warmSeconds} s warm-up of each). Baseline: a plain \`node:http\` server with a \`pg\` pool of ${POOL_SIZE} (the service's default) — GET: the same select by id; POST: a transaction inserting the ticket and its CREATED history row. Bare NestJS: the same two statements behind one NestJS controller on \`@nestjs/platform-express\`, with nothing else (bench/baseline-servers.mjs) — what the framework alone costs. The service's POSTs carry an \`Idempotency-Key\` (five statements: the claim, then BEGIN, the ticket, the commit statement with the history row, the outbox event and the key's completion, and COMMIT), except in the last row, which is there for comparison: without a key the service sends the same four statements as the baselines. The CPU columns are what the server process and the database's backends spent per answered request (from /proc; the load generator shares the cores and is not counted). Target: ≥ ${TARGETS.throughputRatio}× the baseline.`,
      throughputTable(report.throughput),
    );
  }
  for (const script of report.scripts ?? []) parts.push(`### ${script.title}`, scriptTable(script));
  parts.push(`### Query plans at ${largest.label}`, plansSection(report));
  return parts.join('\n\n');
}

const SECTION_ORDER = ['postgres', 'postgres-lists-10m', 'postgres-quick', 'pglite', 'pglite-quick', 'alerts'];

const INTRO = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs), which builds the service first (\`--no-build\` skips that); each
kind of run replaces its own section below and keeps the others.

- \`npm run bench\` — PostgreSQL at 10k and 1M tickets (\`--tickets-large N\`, \`--skip-1m\`): list cases,
  query plans, GET/POST at saturation, the SLA scanner, webhooks and uploads. About 10–15 minutes here, half of
  it seeding 1M tickets. \`BENCH_DATABASE_URL\` picks the server (default
  \`postgres://postgres@127.0.0.1:5432/postgres\`); the run creates its own databases and drops them.
- \`npm run bench -- --quick\` — 10k only, a few seconds per case: CI runs it so the harness keeps working;
  its timings are not judged.
- \`npm run bench -- --pglite\` — the list cases on the embedded database at 10k and 100k.
- \`npm run bench -- --lists-only --tickets-large 10000000\` — the list cases and their plans only, at 10k and
  10M (about an hour here, most of it seeding); the table adds each case's slowest request at 10M.

Every service figure sits next to a baseline measured in the same run, on the same database, interleaved with
it, and the ratio is what counts: the machine is shared (two cores, other work running), the load generator
runs on the same cores, and absolute numbers move ±20% from run to run. The services run with
\`LOG_LEVEL=error\`, without API docs and rate limit; their SLA scanner and webhook dispatcher are paused, as
their own scripts measure those. Data comes from \`npm run seed\` (bench/seed.mjs): 60% closed, 5,000
reporters, 200 assignees in 20 teams, 0–3 tags, a 2,000-word Zipf vocabulary, status histories that follow
the workflow, comments on a share of tickets (some internal), SLA flags as the scanner would have left them.`;

/**
 * Replaces this run's section of the report (or adds it in SECTION_ORDER) and the introduction; every other
 * section, and the hand-written notes between sections, stay as they are.
 */
async function writeReport(file, key, markdown) {
  const block = `<!-- section:${key} -->\n${markdown}\n<!-- /section:${key} -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const current = new RegExp(`<!-- section:${key} -->\\n[\\s\\S]*?\\n<!-- /section:${key} -->`);
  if (current.test(text)) {
    text = text.replace(current, () => block);
  } else {
    const later = SECTION_ORDER.slice(SECTION_ORDER.indexOf(key) + 1)
      .map((name) => text.indexOf(`<!-- section:${name} -->`))
      .filter((index) => index >= 0);
    const at = later.length > 0 ? Math.min(...later) : text.length;
    text = `${text.slice(0, at)}${block}\n\n${text.slice(at)}`;
  }
  const firstSection = text.indexOf('<!-- section:');
  // Formatted as `npm run lint` wants it (tables aligned).
  const formatted = `${INTRO}\n\n${text.slice(firstSection)}`;
  writeFileSync(file, await prettier.format(formatted, { ...(await prettier.resolveConfig(file)), filepath: file }));
}

async function main() {
  const options = { ...parseOptions(), argv: process.argv.slice(2) };
  process.once('SIGINT', () => cleanUp().then(() => process.exit(130)));
  const report = { listsOnly: options.listsOnly };
  try {
    if (options.build) {
      log('npm run build');
      await run('npm', ['run', 'build', '--silent']);
    }
    await (options.pglite ? benchPglite(options, report) : benchPostgres(options, report));
    await writeReport(options.out, options.section, renderSection(report, options));
    log(`wrote ${options.out}`);
    const failed = [
      ...(report.scripts ?? []).filter((script) => script.error).map((script) => script.name),
      ...report.targets.flatMap((target) =>
        [...target.results].filter(([, result]) => result.failures).map(([key]) => `${key} at ${target.label}`),
      ),
    ];
    if (failed.length) throw new Error(`failed: ${failed.join(', ')}`);
  } finally {
    await cleanUp();
  }
}

main().catch((error) => {
  log(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
