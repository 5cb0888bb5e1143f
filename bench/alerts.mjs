// Alert intake of the built service (npm run build first) on PostgreSQL, in one run and on one database:
//   baseline  plain POST /tickets (a ticket, its CREATED history row and outbox event per request);
//   new       POST /alerts with a fingerprint per request: every alert opens a ticket (lock, look-ups, insert);
//   repeat    POST /alerts cycling over --fingerprints open alerts: de-duplicated firings (a counter update
//             and one history row each), the steady state of a noisy monitoring system;
//   storm     POST /alerts of one fingerprint from every connection: the firings queue on its lock.
// Each case gets --requests requests from --connections keep-alive connections (autocannon), rounds interleaved
// with the baseline; the table shows the median alerts/s of the rounds and the ratio to the baseline.
//
//   node bench/alerts.mjs [--url postgres://postgres@127.0.0.1:5432/postgres] [--requests 3000]
//                         [--connections 32] [--fingerprints 50] [--rounds 3] [--json] [--write]
//
// --url defaults to BENCH_DATABASE_URL (the run creates a database of its own and drops it). --write puts the
// table into its section of docs/benchmarks.md (kept by bench/run.mjs).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import prettier from 'prettier';

const ROOT = new URL('../', import.meta.url);
const REPORT = new URL('docs/benchmarks.md', ROOT);

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    requests: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '32' },
    fingerprints: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(options.requests);
const CONNECTIONS = Number(options.connections);
const FINGERPRINTS = Number(options.fingerprints);
const ROUNDS = Number(options.rounds);
const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const require = createRequire(import.meta.url);
const dist = '../apps/ticket-service/dist/apps/ticket-service/src';
const { createApp } = require(`${dist}/app.setup.js`);
const { parseConfig } = require(`${dist}/config/app-config.js`);
const { createRootLogger } = require(`${dist}/common/logging/logger.js`);
const { mintAccessToken } = require(`${dist}/common/auth/access-token.js`);

/** `requests` POSTs of the bodies `body(i)` makes; alerts (or tickets) accepted per second and failures. */
function run(base, path, headers, body) {
  let sent = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        amount: REQUESTS,
        requests: [
          {
            method: 'POST',
            path,
            // Headers of its own per request: autocannon adds Content-Length to the object it is given.
            setupRequest: (req) => ({ ...req, headers: { ...headers }, body: JSON.stringify(body(sent++)) }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          perSecond: result['2xx'] / result.duration,
          p99: result.latency.p99,
          failed: result.non2xx + result.errors,
        });
      },
    );
  });
}

const ticket = (i) => ({
  title: `Alert benchmark baseline ${i}`,
  description: 'Checkout answers 5xx for 7% of requests.',
  category: 'INCIDENT',
  priority: 'P1',
  environment: 'PRODUCTION',
  affected_service: 'checkout',
  tags: ['higherrorrate'],
});

const alert = (fingerprint) => ({
  fingerprint,
  status: 'firing',
  title: 'Checkout answers 5xx for 7% of requests',
  description: 'The error rate of checkout has been above 5% for 10 minutes.',
  severity: 'critical',
  labels: { alertname: 'HighErrorRate', env: 'production', service: 'checkout', namespace: 'shop' },
  starts_at: '2026-11-30T09:58:12Z',
  source: 'bench',
});

async function main() {
  const name = `ticket_bench_alerts_${Date.now()}`;
  const admin = new pg.Client({ connectionString: options.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const { rows } = await admin.query(`SELECT current_setting('server_version') AS version`);
  const url = new URL(options.url);
  url.pathname = `/${name}`;
  const config = parseConfig({
    ENVIRONMENT: 'test',
    JWT_SECRET_KEY: 'bench-secret-with-at-least-32-characters',
    RATE_LIMIT_PER_MINUTE: '0',
    SLA_CHECK_INTERVAL_SECONDS: '86400',
    NOTIFICATIONS_ENABLED: 'false',
    DOCS_ENABLED: 'false',
    DATABASE_URL: url.toString(),
  });
  const app = await createApp(config, { logger: createRootLogger('error') });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const headers = {
    authorization: `Bearer ${mintAccessToken(config.auth, { role: 'DEVOPS_ENGINEER', sub: randomUUID() })}`,
    'content-type': 'application/json',
  };
  const runId = randomUUID().slice(0, 8);
  const cases = {
    baseline: () => run(base, '/api/v1/tickets', headers, ticket),
    new: (round) => run(base, '/api/v1/alerts', headers, (i) => alert(`new-${runId}-${round}-${i}`)),
    repeat: () => run(base, '/api/v1/alerts', headers, (i) => alert(`repeat-${runId}-${i % FINGERPRINTS}`)),
    storm: () => run(base, '/api/v1/alerts', headers, () => alert(`storm-${runId}`)),
  };
  const results = Object.fromEntries(Object.keys(cases).map((key) => [key, []]));
  try {
    log(`PostgreSQL ${rows[0].version.split(' ')[0]}: warming up …`);
    await cases.baseline();
    await cases.repeat();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, measure] of Object.entries(cases)) {
        const result = await measure(round);
        log(
          `round ${round + 1} ${key}: ${Math.round(result.perSecond)}/s, p99 ${result.p99} ms, failed ${result.failed}`,
        );
        results[key].push(result);
      }
    }
    const { ticketCount, stormOccurrences } = await openTicketFacts(admin, name, runId);
    const baseline = median(results.baseline.map((r) => r.perSecond));
    const table = Object.entries(results).map(([key, runs]) => ({
      case: key,
      per_s: Math.round(median(runs.map((r) => r.perSecond))),
      p99_ms: median(runs.map((r) => r.p99)),
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
      ratio: Number((median(runs.map((r) => r.perSecond)) / baseline).toFixed(2)),
    }));
    const facts = {
      server: `PostgreSQL ${rows[0].version.split(' ')[0]}`,
      requests_per_round: REQUESTS,
      connections: CONNECTIONS,
      repeat_fingerprints: FINGERPRINTS,
      rounds: ROUNDS,
      repeat_open_tickets: ticketCount,
      storm_alert_occurrences: stormOccurrences,
      storm_expected_occurrences: ROUNDS * REQUESTS,
    };
    if (options.json) process.stdout.write(`${JSON.stringify({ ...facts, cases: table })}\n`);
    else process.stdout.write(`${markdown(facts, table)}\n`);
    if (options.write) await writeSection(markdown(facts, table));
  } finally {
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** De-duplication held: one ticket per repeat fingerprint, and every storm firing counted on one ticket. */
async function openTicketFacts(admin, name, runId) {
  const url = new URL(options.url);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const repeat = await client.query(`SELECT count(*)::int AS n FROM tickets WHERE alert_fingerprint LIKE $1`, [
      `repeat-${runId}-%`,
    ]);
    const storm = await client.query(
      `SELECT count(*)::int AS tickets, max(alert_occurrences) AS occurrences FROM tickets WHERE alert_fingerprint = $1`,
      [`storm-${runId}`],
    );
    if (storm.rows[0].tickets !== 1) throw new Error(`storm opened ${storm.rows[0].tickets} tickets`);
    return { ticketCount: repeat.rows[0].n, stormOccurrences: storm.rows[0].occurrences };
  } finally {
    await client.end();
  }
}

function markdown(facts, table) {
  const lines = [
    '## Alert intake (bench/alerts.mjs)',
    '',
    `\`node bench/alerts.mjs --write\` on ${facts.server}: ${facts.requests_per_round} requests per case and round from ` +
      `${facts.connections} keep-alive connections (autocannon), median of ${facts.rounds} interleaved rounds. ` +
      'Baseline: the same number of plain `POST /tickets` (a P1 INCIDENT with the same fields) in the same run. ' +
      '`new`: a fingerprint per alert (each opens a ticket); `repeat`: firings cycling over ' +
      `${facts.repeat_fingerprints} open alerts (each de-duplicated: counter, history row); \`storm\`: one fingerprint ` +
      'from every connection (firings queue on its lock).',
    '',
    '| case | alerts/s | p99 ms | failed | ratio to baseline |',
    '| --- | --- | --- | --- | --- |',
    ...table.map((row) => `| ${row.case} | ${row.per_s} | ${row.p99_ms} | ${row.failed} | ${row.ratio} |`),
    '',
    `De-duplication held: the repeat case left ${facts.repeat_open_tickets} open tickets for ` +
      `${facts.repeat_fingerprints} fingerprints, the storm one ticket with alert_occurrences ` +
      `${facts.storm_alert_occurrences} (${facts.storm_expected_occurrences} firings sent).`,
  ];
  return lines.join('\n');
}

/** Replaces (or adds) this script's section; bench/run.mjs keeps it when it rewrites its own. */
async function writeSection(section) {
  const file = REPORT.pathname;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `<!-- section:alerts -->\n${section}\n<!-- /section:alerts -->`;
  const pattern = /<!-- section:alerts -->\n[\s\S]*?\n<!-- \/section:alerts -->/;
  const next = pattern.test(text) ? text.replace(pattern, block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, await prettier.format(next, { ...(await prettier.resolveConfig(file)), filepath: file }));
}

await main();
