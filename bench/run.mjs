// Load benchmark of the ticket API: seeds N tickets, then measures create, get-by-id, a filtered list and a
// full-text search with autocannon against the built service (npm run build first).
//   node bench/run.mjs                       embedded PGlite (in-memory)
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/run.mjs   PostgreSQL
// Options (env): BENCH_TICKETS (10000), BENCH_DURATION seconds per scenario (10), BENCH_CONNECTIONS (20).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 10_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const PORT = 18_002;
const SECRET = 'benchmark-secret-with-at-least-32-characters';
const base = `http://127.0.0.1:${PORT}`;
const token = jwt.sign({ sub: randomUUID(), role: 'ADMIN', type: 'access' }, SECRET, { expiresIn: '2h' });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

async function databaseEnv() {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) return { label: 'PGlite (embedded)', env: { PGLITE_DATA_DIR: 'memory://' }, drop: async () => {} };
  const name = `ticket_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    label: 'PostgreSQL 15',
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function waitReady(deadlineMs) {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('service did not become ready');
}

const CATEGORIES = ['INCIDENT', 'SERVICE_REQUEST', 'PROBLEM', 'CHANGE_REQUEST', 'QUESTION'];
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
const WORDS = [
  'database',
  'network',
  'latency',
  'certificate',
  'kubernetes',
  'disk',
  'memory',
  'deploy',
  'dns',
  'backup',
];

function ticketBody(i) {
  const word = WORDS[i % WORDS.length];
  return JSON.stringify({
    title: `Ticket ${i}: ${word} problem in cluster ${i % 17}`,
    description: `Seeded ticket ${i}. Symptoms involve ${word} and ${WORDS[(i * 7) % WORDS.length]} on host ${i % 101}.`,
    category: CATEGORIES[i % CATEGORIES.length],
    priority: PRIORITIES[i % PRIORITIES.length],
    tags: [word, `cluster-${i % 17}`],
  });
}

async function seed(count) {
  const ids = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${base}/api/v1/tickets`, { method: 'POST', headers, body: ticketBody(i) });
        if (res.status !== 201) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
        ids.push((await res.json()).id);
      }
    }),
  );
  return { ids, seconds: (Date.now() - started) / 1000 };
}

function run(title, options) {
  return new Promise((resolve, reject) => {
    autocannon({ url: base, connections: CONNECTIONS, duration: DURATION, ...options }, (error, result) => {
      if (error) return reject(error);
      const failures = result.non2xx + result.errors + result.timeouts;
      resolve({
        title,
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        failures,
      });
    });
  });
}

const database = await databaseEnv();
const service = spawn(process.execPath, ['apps/ticket-service/dist/apps/ticket-service/src/main.js'], {
  env: {
    ...process.env,
    ...database.env,
    ENVIRONMENT: 'test',
    RATE_LIMIT_PER_MINUTE: '0',
    SERVICE_PORT: String(PORT),
    HOST: '127.0.0.1',
    JWT_SECRET_KEY: SECRET,
    LOG_LEVEL: 'error',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  const coldStartMs = await waitReady(60_000);
  const seeded = await seed(TICKETS);
  let counter = 0;
  const results = [
    await run('create ticket (POST /tickets)', {
      requests: [
        {
          method: 'POST',
          path: '/api/v1/tickets',
          headers,
          setupRequest: (req) => ({ ...req, body: ticketBody(TICKETS + counter++) }),
        },
      ],
    }),
    await run('get ticket by id', {
      requests: [
        {
          method: 'GET',
          headers,
          setupRequest: (req) => ({
            ...req,
            path: `/api/v1/tickets/${seeded.ids[Math.floor(Math.random() * seeded.ids.length)]}`,
          }),
        },
      ],
    }),
    await run('filtered list (status, 2 priorities, sort by priority)', {
      requests: [
        {
          method: 'GET',
          headers,
          path: '/api/v1/tickets?status=NEW&priority=P1&priority=P2&category=INCIDENT&sort_by=priority&order=asc&page_size=20',
        },
      ],
    }),
    await run('full-text search (q, relevance)', {
      requests: [
        { method: 'GET', headers, path: '/api/v1/tickets?q=database%20-network&sort_by=relevance&page_size=20' },
      ],
    }),
  ];
  const lines = [
    `# Benchmark results`,
    ``,
    `${new Date().toISOString()} · ${database.label} · ${TICKETS} seeded tickets · ${CONNECTIONS} connections · ${DURATION}s per scenario · node ${process.version}, 2 cores`,
    ``,
    `Cold start to a ready /health/ready: ${coldStartMs} ms. Seeding ${TICKETS} tickets through the API: ${seeded.seconds.toFixed(1)} s (${Math.round(TICKETS / seeded.seconds)} creates/s at 16 concurrent clients).`,
    ``,
    `| scenario | req/s | p50 ms | p90 ms | p99 ms | failures |`,
    `|---|---|---|---|---|---|`,
    ...results.map((r) => `| ${r.title} | ${r.rps} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.failures} |`),
    ``,
  ];
  const report = lines.join('\n');
  console.log(report);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${process.env.BENCH_DATABASE_URL ? 'postgres' : 'pglite'}.md`, report);
} finally {
  service.kill('SIGTERM');
  await sleep(1000);
  await database.drop();
}
