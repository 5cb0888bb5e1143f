// Webhook delivery throughput and outbox lag under create-ticket load (npm run build first).
//   node bench/webhooks.mjs                                              embedded PGlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/webhooks.mjs
// Starts the service in-process with a 50 ms dispatch interval, a receiver on loopback subscribed to every
// event, creates BENCH_TICKETS (2000) tickets from 16 concurrent clients, and reports delivered events/s and
// the lag from each event's occurred_at to its arrival.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
const dist = '../apps/ticket-service/dist/apps/ticket-service/src';
const { createApp } = require(`${dist}/app.setup.js`);
const { parseConfig } = require(`${dist}/config/app-config.js`);
const { createRootLogger } = require(`${dist}/common/logging/logger.js`);
const { mintAccessToken } = require(`${dist}/common/auth/access-token.js`);

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const serverUrl = process.env.BENCH_DATABASE_URL;
let database = { env: { PGLITE_DATA_DIR: 'memory://' }, label: 'PGlite (embedded)', drop: async () => {} };
if (serverUrl) {
  const name = `ticket_bench_hooks_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  database = {
    env: { DATABASE_URL: url.toString() },
    label: 'PostgreSQL 15',
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const lags = [];
let firstArrival = 0;
let lastArrival = 0;
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const now = Date.now();
    firstArrival ||= now;
    lastArrival = now;
    lags.push(now - Date.parse(JSON.parse(body).occurred_at));
    res.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));

const config = parseConfig({
  ENVIRONMENT: 'test',
  JWT_SECRET_KEY: 'bench-secret-with-at-least-32-characters',
  WEBHOOK_DISPATCH_INTERVAL_MS: '50',
  RATE_LIMIT_PER_MINUTE: '0',
  SLA_CHECK_INTERVAL_SECONDS: '86400',
  ...database.env,
});
const app = await createApp(config, { logger: createRootLogger('error') });
await app.listen(0, '127.0.0.1');
const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
const token = mintAccessToken(config.auth, { role: 'ADMIN', sub: randomUUID() });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
try {
  const hook = await fetch(`${base}/api/v1/webhooks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      url: `http://127.0.0.1:${receiver.address().port}/hook`,
      events: [],
      secret: 'bench-webhook-secret-0123',
    }),
  });
  if (hook.status !== 201) throw new Error(`subscribe failed: ${hook.status}`);

  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < TICKETS) {
        const i = next++;
        const res = await fetch(`${base}/api/v1/tickets`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            title: `Benchmark ticket ${i}`,
            description: 'Created by the webhook benchmark.',
            category: 'QUESTION',
          }),
        });
        if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
      }
    }),
  );
  const createSeconds = (Date.now() - started) / 1000;
  while (lags.length < TICKETS && Date.now() - started < 300_000)
    await new Promise((resolve) => setTimeout(resolve, 50));
  lags.sort((a, b) => a - b);
  const pct = (p) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))];
  const deliverySeconds = (lastArrival - firstArrival) / 1000;
  console.log(
    [
      `${database.label}: ${TICKETS} tickets created in ${createSeconds.toFixed(1)} s (${Math.round(TICKETS / createSeconds)}/s, 16 clients)`,
      `| delivered | events/s (first to last arrival) | lag p50 ms | lag p90 ms | lag p99 ms | lag max ms |`,
      `|---|---|---|---|---|---|`,
      `| ${lags.length} | ${Math.round(lags.length / deliverySeconds)} | ${pct(50)} | ${pct(90)} | ${pct(99)} | ${lags[lags.length - 1]} |`,
    ].join('\n'),
  );
} finally {
  await app.close();
  receiver.close();
  await database.drop();
}
