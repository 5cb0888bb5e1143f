// The soak of issue 11: a mixed workload at a fixed rate against the built service on PostgreSQL, reporting
// every minute, so slow leaks (memory, connections, file handles) and rare 5xx show up.
//
//   npm run soak [-- --minutes 10] [--rate 40] [--tickets 5000] [--out docs/reliability.md] [--no-build]
//
// Creates its own database on BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres),
// seeds it with bench/seed.mjs, starts the service as a child process with its periodic jobs running (SLA scan
// every 10 s, webhook dispatch, sweepers) and a webhook subscription to a local receiver, then sends requests
// open-loop — on a fixed schedule, whatever the answers take: creates (with Idempotency-Key), reads, lists,
// searches, comments, small uploads and status changes. Each minute it prints p50/p99, the service's RSS, its
// open file descriptors and its database connections; at the end the verdict (no 5xx, RSS and connections
// flat) and, with --out, the table in that file's soak section. Exits 1 when the verdict fails.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import * as prettier from 'prettier';
import { COMMON_WORD, RARE_WORD } from './seed.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVICE_MAIN = `${ROOT}apps/ticket-service/dist/apps/ticket-service/src/main.js`;
const SECRET = 'soak-secret-with-at-least-32-characters!!';
/** At most this many requests in flight; beyond, a scheduled request is counted as shed instead of sent. */
const MAX_IN_FLIGHT = 256;
/** RSS may end at most this much above its level after the first minute (warm-up) and still count as flat. */
const RSS_FLAT_TOLERANCE = 0.15;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '40' },
    tickets: { type: 'string', default: '5000' },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The workload: weights of each kind of request. */
const MIX = [
  ['create', 20],
  ['get', 25],
  ['list', 12],
  ['search', 8],
  ['comment', 15],
  ['upload', 5],
  ['status', 15],
];
const MIX_TOTAL = MIX.reduce((sum, [, weight]) => sum + weight, 0);

const cleanups = [];
const log = (line) => process.stdout.write(`${line}\n`);

function run(command, commandArgs, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}`))));
  });
}

const user = (role) => {
  const sub = randomUUID();
  return { id: sub, role, token: jwt.sign({ sub, role, type: 'access' }, SECRET, { expiresIn: '12h' }) };
};

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const openFiles = (pid) => readdirSync(`/proc/${pid}/fd`).length;

async function main() {
  if (!args['no-build']) {
    log('npm run build');
    await run('npm', ['run', 'build', '--silent']);
  }
  if (!existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} is missing: run npm run build`);

  const name = `ticket_soak_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  log(`seeding ${args.tickets} tickets into ${name}`);
  await run(process.execPath, ['bench/seed.mjs', '--tickets', args.tickets, '--database-url', databaseUrl]);

  // A webhook receiver, so the dispatcher works through the soak too.
  let delivered = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered += 1;
      res.writeHead(204).end();
    });
  });
  const receiverPort = await freePort();
  await new Promise((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));

  const uploads = mkdtempSync(join(tmpdir(), 'ticket-soak-uploads-'));
  cleanups.push(async () => rmSync(uploads, { recursive: true, force: true }));
  const port = await freePort();
  const service = spawn(process.execPath, ['--expose-gc', SERVICE_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'warn',
      DOCS_ENABLED: 'false',
      JWT_SECRET_KEY: SECRET,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      SERVICE_PORT: String(port),
      RATE_LIMIT_PER_MINUTE: '0',
      SLA_CHECK_INTERVAL_SECONDS: '10',
      UPLOAD_STORAGE_PATH: uploads,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(async () => {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((resolve) => service.once('exit', resolve));
    }
  });
  const base = `http://127.0.0.1:${port}`;
  for (let ready = false; !ready; await sleep(200)) {
    if (service.exitCode !== null) throw new Error('the service exited during start-up');
    ready = await fetch(`${base}/health/ready`).then(
      (res) => res.ok,
      () => false,
    );
  }

  const requesters = Array.from({ length: 10 }, () => user('END_USER'));
  const engineers = Array.from({ length: 5 }, () => user('DEVOPS_ENGINEER'));
  const manager = user('MANAGER');
  const adminUser = user('ADMIN');
  const pick = (items) => items[Math.floor(Math.random() * items.length)];
  const call = (who, method, path, body, headers = {}) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${who.token}`,
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined || body instanceof FormData ? body : JSON.stringify(body),
    });

  const hook = await call(adminUser, 'POST', '/webhooks', {
    url: `http://127.0.0.1:${receiverPort}/hook`,
    events: [],
    secret: 'soak-webhook-secret-0123456789',
  });
  if (!hook.ok)
    log(`webhook subscription refused (${hook.status} ${await hook.text()}): the soak runs without deliveries`);

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  cleanups.push(() => db.end());
  const known = (
    await db.query(
      `SELECT id FROM tickets WHERE deleted_at IS NULL AND status <> 'CLOSED' ORDER BY random() LIMIT 2000`,
    )
  ).rows.map((row) => row.id);
  /** Tickets this soak created, with the status each has, for the status changes. */
  const mine = [];
  const NEXT_STATUS = { NEW: 'OPEN', OPEN: 'IN_PROGRESS', IN_PROGRESS: 'PENDING_INFO', PENDING_INFO: 'IN_PROGRESS' };
  const attachment = Buffer.from(`${'2026-12-01T12:00:00Z worker-3 ERROR connection reset by peer\n'.repeat(400)}`);

  const operations = {
    create: async () => {
      const author = Math.random() < 0.5 ? pick(requesters) : pick(engineers);
      const res = await call(
        author,
        'POST',
        '/tickets',
        {
          title: `Soak ${Math.random().toString(36).slice(2, 10)} ${COMMON_WORD}`,
          description: 'Created by the soak run to keep the write path busy.',
          category: 'INCIDENT',
          priority: pick(['P1', 'P2', 'P3', 'P4']),
          tags: ['soak'],
        },
        { 'idempotency-key': randomUUID() },
      );
      if (res.status === 201) {
        const ticket = await res.json();
        mine.push({ id: ticket.id, status: ticket.status });
        if (mine.length > 5000) mine.shift();
        return 201;
      }
      await res.arrayBuffer();
      return res.status;
    },
    get: () => call(pick([manager, ...engineers]), 'GET', `/tickets/${pick(known)}`),
    list: () => call(pick([manager, ...requesters]), 'GET', `/tickets?page=${1 + Math.floor(Math.random() * 5)}`),
    search: () => call(manager, 'GET', `/tickets?q=${Math.random() < 0.5 ? COMMON_WORD : RARE_WORD}`),
    comment: () =>
      call(pick(engineers), 'POST', `/tickets/${pick(known)}/comments`, {
        content: 'Looked at the logs; the connection pool was exhausted at the time.',
        is_internal: Math.random() < 0.3,
      }),
    upload: () => {
      const form = new FormData();
      form.append('file', new Blob([attachment], { type: 'text/plain' }), 'worker.log');
      return call(pick(engineers), 'POST', `/tickets/${pick(known)}/attachments`, form);
    },
    status: async () => {
      const ticket = mine.length ? pick(mine) : null;
      if (!ticket || !NEXT_STATUS[ticket.status]) return operations.get();
      const next = NEXT_STATUS[ticket.status];
      const res = await call(adminUser, 'PATCH', `/tickets/${ticket.id}/status`, { status: next });
      if (res.ok) ticket.status = next;
      return res;
    },
  };
  const pickOperation = () => {
    let roll = Math.random() * MIX_TOTAL;
    for (const [kind, weight] of MIX) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return MIX[0][0];
  };

  const minutes = [];
  let current = null;
  const newMinute = () => ({
    latencies: [],
    statuses: { '2xx': 0, '4xx': 0, '5xx': 0, network: 0 },
    shed: 0,
    fivexx: [],
    fourxx: {},
  });
  let inFlight = 0;
  const sendOne = async () => {
    if (inFlight >= MAX_IN_FLIGHT) {
      current.shed += 1;
      return;
    }
    inFlight += 1;
    const bucket = current;
    const kind = pickOperation();
    const started = performance.now();
    try {
      const answer = await operations[kind]();
      const status = typeof answer === 'number' ? answer : answer.status;
      if (typeof answer !== 'number') await answer.arrayBuffer();
      bucket.latencies.push(performance.now() - started);
      bucket.statuses[`${Math.floor(status / 100)}xx`] = (bucket.statuses[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
      if (status >= 500) bucket.fivexx.push(`${kind} ${status}`);
      if (status >= 400 && status < 500)
        bucket.fourxx[`${kind} ${status}`] = (bucket.fourxx[`${kind} ${status}`] ?? 0) + 1;
    } catch (error) {
      bucket.statuses.network += 1;
      bucket.fivexx.push(`${kind} ${error.message}`);
    } finally {
      inFlight -= 1;
    }
  };

  const serviceConnections = async () =>
    (
      await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [name],
      )
    ).rows[0].n - 1; // the soak's own client
  const started = Date.now();
  log(`soak: ${RATE} req/s for ${MINUTES} min on ${cpus().length} cores`);
  log(
    'minute | requests | 2xx | 4xx | 5xx | network errors | shed | p50 ms | p99 ms | RSS MiB | open fds | db connections',
  );
  const interval = 1000 / RATE;
  for (let minute = 1; minute <= MINUTES; minute++) {
    current = newMinute();
    const minuteEnd = started + minute * 60_000;
    let next = Date.now();
    while (Date.now() < minuteEnd) {
      void sendOne();
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const sorted = current.latencies.sort((a, b) => a - b);
    const row = {
      minute,
      requests: sorted.length + current.statuses.network,
      ...current.statuses,
      shed: current.shed,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      rss: rssMiB(service.pid),
      fds: openFiles(service.pid),
      connections: await serviceConnections(),
      fivexx: current.fivexx,
    };
    minutes.push(row);
    log(
      [
        row.minute,
        row.requests,
        row['2xx'],
        row['4xx'],
        row['5xx'],
        row.network,
        row.shed,
        row.p50.toFixed(1),
        row.p99.toFixed(1),
        row.rss.toFixed(0),
        row.fds,
        row.connections,
      ].join(' | '),
    );
    for (const line of row.fivexx.slice(0, 5)) log(`  5xx/network: ${line}`);
    if (Object.keys(current.fourxx).length) log(`  4xx: ${JSON.stringify(current.fourxx)}`);
  }
  while (inFlight > 0) await sleep(50);

  const warm = minutes[Math.min(1, minutes.length - 1)];
  const last = minutes[minutes.length - 1];
  const total5xx = minutes.reduce((sum, row) => sum + row['5xx'] + row.network, 0);
  const checks = [
    { label: 'no 5xx and no network error', ok: total5xx === 0, value: `${total5xx}` },
    {
      label: `RSS flat (last minute ≤ ${(1 + RSS_FLAT_TOLERANCE).toFixed(2)}× minute ${warm.minute})`,
      ok: last.rss <= warm.rss * (1 + RSS_FLAT_TOLERANCE),
      value: `${warm.rss.toFixed(0)} → ${last.rss.toFixed(0)} MiB`,
    },
    {
      label: 'database connections flat (never above the pools)',
      ok: Math.max(...minutes.map((row) => row.connections)) <= 14 && last.connections <= warm.connections + 1,
      value: minutes.map((row) => row.connections).join(', '),
    },
    {
      label: 'open file descriptors flat',
      ok: last.fds <= warm.fds + 10,
      value: `${warm.fds} → ${last.fds}`,
    },
  ];
  log('');
  for (const check of checks) log(`${check.ok ? '✓' : '✗'} ${check.label}: ${check.value}`);
  log(`webhook deliveries received: ${delivered}`);
  if (args.out) await writeSection(args.out, minutes, checks, delivered);
  return checks.every((check) => check.ok);
}

async function writeSection(file, minutes, checks, delivered) {
  const commit = await run('git', ['rev-parse', '--short', 'HEAD']).catch(() => 'unknown');
  const table = [
    '| minute | requests | 2xx | 4xx | 5xx | network errors | shed | p50 ms | p99 ms | RSS MiB | open fds | DB connections |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...minutes.map(
      (row) =>
        `| ${[row.minute, row.requests, row['2xx'], row['4xx'], row['5xx'], row.network, row.shed, row.p50.toFixed(1), row.p99.toFixed(1), row.rss.toFixed(0), row.fds, row.connections].join(' | ')} |`,
    ),
  ].join('\n');
  const section = [
    '## Soak',
    `\`npm run soak -- --minutes ${MINUTES} --rate ${RATE} --tickets ${args.tickets}\` at commit ${commit.trim()}, ${new Date().toISOString()}: ${RATE} requests/s open-loop (creates ${MIX[0][1]}%, reads, lists, searches, comments, 15 KiB uploads, status changes), SLA scan every 10 s, webhook dispatch to a local receiver (${delivered} deliveries).`,
    table,
    checks.map((check) => `- ${check.ok ? '✓' : '✗'} ${check.label}: ${check.value}`).join('\n'),
  ].join('\n\n');
  const marker = /<!-- section:soak -->[\s\S]*?<!-- \/section:soak -->/;
  const block = `<!-- section:soak -->\n${section}\n<!-- /section:soak -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Reliability\n';
  const updated = marker.test(text) ? text.replace(marker, block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, await prettier.format(updated, { ...(await prettier.resolveConfig(file)), filepath: file }));
  log(`wrote ${file}`);
}

let passed = false;
try {
  passed = await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
process.exit(passed ? 0 : 1);
