// Webhook delivery of the built service (npm run build first), in one run:
//   (a) throughput: a burst of --backlog ticket events written in one transaction (as a set-based writer such as
//       the breach scanner does), delivered to a loopback receiver: deliveries/s from the commit to the last
//       arrival, against the bare receiver driven by the same client (undici's request, signed bodies, as many
//       requests in flight as the dispatcher's bound) — their ratio is the figure to compare across runs;
//   (b) outbox lag (event occurred → receiver got it) while tickets are created through the API at a steady
//       --rate per second for --duration seconds;
//   (c) the same lag with the events written at --rate per second by the audit trail itself, one transaction each
//       as a create commits its event: the dispatcher's lag when the API is not what limits the rate (on a slow
//       machine POST saturates below --rate, and (b) then says little).
//
//   node bench/webhooks.mjs [--url postgres://postgres@127.0.0.1:5432/postgres] [--duration 15] [--rate 300]
//                           [--backlog 10000] [--json]
//
// --url defaults to BENCH_DATABASE_URL (the run creates a database of its own and drops it); without one the
// embedded PGlite is used. The receiver and the load generator run in worker threads, so they do not share the
// service's event loop (they do share the machine's cores). --json prints one JSON line instead of the table.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { openBenchDatabase } from './bench-database.mjs';

/** Requests in flight for the bare receiver baseline: the dispatcher's bound on concurrent sends. */
const BASELINE_IN_FLIGHT = 64;
/** Creates in flight at most; above it the load generator falls behind the rate (and reports it). */
const LOAD_MAX_IN_FLIGHT = 64;
const SECRET = 'bench-webhook-secret-0123';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The loopback receiver: counts arrivals and connections, and the lag of each event (arrival − occurred_at). */
function runReceiver() {
  let lags = [];
  let connections = 0;
  let lastArrival = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      lastArrival = Date.now();
      lags.push(lastArrival - Date.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')).occurred_at));
      res.writeHead(204).end();
    });
  });
  server.on('connection', () => connections++);
  parentPort.on('message', (command) => {
    if (command === 'reset') {
      lags = [];
      connections = 0;
      lastArrival = 0;
      parentPort.postMessage({ reset: true });
    } else if (command === 'count') {
      parentPort.postMessage({ count: lags.length });
    } else if (command === 'stats') {
      parentPort.postMessage({ count: lags.length, lags, connections, lastArrival });
    }
  });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
}

/** Creates tickets at a steady rate (open loop: a slow answer does not slow the schedule, up to the in-flight cap). */
async function runLoad({ base, token, rate, durationMs }) {
  const total = Math.round((rate * durationMs) / 1000);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const latencies = [];
  let failed = 0;
  const begin = performance.now();
  await atRate(rate, total, async (i) => {
    const sent = performance.now();
    try {
      const res = await fetch(`${base}/api/v1/tickets`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          title: `Webhook benchmark ticket ${i}`,
          description: 'Created by the webhook benchmark.',
          category: 'QUESTION',
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) failed++;
    } catch {
      failed++;
    }
    latencies.push(performance.now() - sent);
  });
  latencies.sort((a, b) => a - b);
  parentPort.postMessage({
    created: total - failed,
    failed,
    seconds: (performance.now() - begin) / 1000,
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
  });
}

if (!isMainThread) {
  if (workerData.role === 'receiver') runReceiver();
  else await runLoad(workerData);
} else {
  await main();
}

/** A worker thread of this script in `role`; its messages are read in order with `next`, or asked for with `ask`. */
function startWorker(role, data = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role, ...data } });
  const received = [];
  const waiting = [];
  let failure = null;
  worker.on('message', (message) => (waiting.length > 0 ? waiting.shift().resolve(message) : received.push(message)));
  worker.on('error', (error) => {
    failure = error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  });
  const next = () =>
    received.length > 0
      ? Promise.resolve(received.shift())
      : failure
        ? Promise.reject(failure)
        : new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  return { worker, next, ask: (command) => (worker.postMessage(command), next()) };
}

/** A signed POST of `envelope` through `agent`, as the dispatcher sends one (undici's request, body read to its end). */
async function postSigned(agent, url, envelope) {
  const body = JSON.stringify(envelope);
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await request(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'ticket-service-webhooks',
      'X-Ticket-Event-Id': envelope.id,
      'X-Ticket-Event-Type': envelope.type,
      'X-Ticket-Timestamp': String(timestamp),
      'X-Ticket-Signature': `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`,
    },
    body,
    dispatcher: agent,
  });
  for await (const _chunk of res.body);
  if (res.statusCode >= 300) throw new Error(`receiver answered ${res.statusCode}`);
}

/** Requests per second the receiver takes from this process's client with `inFlight` requests at once. */
async function bareReceiverRate(url, requests, inFlight) {
  const agent = new Agent({ connections: inFlight });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests) {
        next++;
        await postSigned(agent, url, {
          id: randomUUID(),
          type: 'ticket.created',
          occurred_at: new Date().toISOString(),
          ticket_id: randomUUID(),
          actor_id: null,
          internal: false,
          data: { ticket_number: next, title: 'Baseline event', priority: 'P3', category: 'QUESTION' },
        });
      }
    }),
  );
  const perSecond = requests / ((performance.now() - started) / 1000);
  await agent.close();
  return perSecond;
}

/**
 * Calls `run(i)` for i < total at `rate` per second, open loop (a slow call does not slow the schedule), with at most
 * LOAD_MAX_IN_FLIGHT at once; resolves when every call has ended, rejects with the first failure.
 */
function atRate(rate, total, run) {
  let started = 0;
  let finished = 0;
  let inFlight = 0;
  const begin = performance.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - begin) * rate) / 1000) + 1);
      while (started < due && inFlight < LOAD_MAX_IN_FLIGHT) {
        inFlight++;
        run(started++).then(() => {
          inFlight--;
          if (++finished === total) resolve();
        }, reject);
      }
      if (started < total) setTimeout(tick, 2);
    };
    tick();
  });
}

/**
 * One ticket.created event per transaction through the audit trail, at `rate` per second (open loop, at most
 * LOAD_MAX_IN_FLIGHT at once): what a create commits to the outbox, without the rest of the create.
 */
async function writeEventsAtRate(dataSource, trail, rate, durationMs) {
  const total = Math.round((rate * durationMs) / 1000);
  const begin = performance.now();
  await atRate(rate, total, (i) => {
    const change = {
      ticketId: randomUUID(),
      entries: [],
      events: [{ type: 'ticket.created', data: { ticket_number: i, title: 'Steady event', priority: 'P3' } }],
    };
    return dataSource.transaction((manager) => trail.recordMany(manager, [change]));
  });
  return { events: total, seconds: (performance.now() - begin) / 1000 };
}

async function untilReceived(receiver, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await receiver.ask('count');
    if (count >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} deliveries arrived`);
    await sleep(20);
  }
}

async function main() {
  const { values: options } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.BENCH_DATABASE_URL },
      duration: { type: 'string', default: process.env.BENCH_DURATION ?? '15' },
      rate: { type: 'string', default: '300' },
      backlog: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
    },
  });
  const DURATION_MS = Number(options.duration) * 1000;
  const RATE = Number(options.rate);
  const BACKLOG = Number(options.backlog);
  const log = (line) => process.stderr.write(`${line}\n`);

  const require = createRequire(import.meta.url);
  const dist = '../apps/ticket-service/dist/apps/ticket-service/src';
  const { createApp } = require(`${dist}/app.setup.js`);
  const { parseConfig } = require(`${dist}/config/app-config.js`);
  const { createRootLogger } = require(`${dist}/common/logging/logger.js`);
  const { mintAccessToken } = require(`${dist}/common/auth/access-token.js`);
  const { AuditTrail } = require(`${dist}/modules/history/audit-trail.js`);
  const { DataSource } = require('typeorm');

  const database = await openBenchDatabase(options.url, 'hooks');

  const receiver = startWorker('receiver');
  const { port: receiverPort } = await receiver.next();
  const hookUrl = `http://127.0.0.1:${receiverPort}/hook`;

  // The service's defaults, notably WEBHOOK_DISPATCH_INTERVAL_MS: the safety poll, not a tuning knob here.
  const config = parseConfig({
    ENVIRONMENT: 'test',
    JWT_SECRET_KEY: 'bench-secret-with-at-least-32-characters',
    RATE_LIMIT_PER_MINUTE: '0',
    SLA_CHECK_INTERVAL_SECONDS: '86400',
    ...database.env,
  });
  const app = await createApp(config, { logger: createRootLogger('error') });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const token = mintAccessToken(config.auth, { role: 'ADMIN', sub: randomUUID() });
  try {
    const hook = await fetch(`${base}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: hookUrl, events: ['ticket.created'], secret: SECRET }),
    });
    if (hook.status !== 201) throw new Error(`subscribe failed: ${hook.status}`);

    // (a) A backlog committed at once; the dispatcher drains it.
    log(`${database.label}: delivering a backlog of ${BACKLOG} events …`);
    await receiver.ask('reset');
    // The events alone (no history rows), written as every audited change writes them: through the audit trail.
    const trail = app.get(AuditTrail);
    const changes = Array.from({ length: BACKLOG }, (_, i) => ({
      ticketId: randomUUID(),
      entries: [],
      events: [{ type: 'ticket.created', data: { ticket_number: i, title: 'Backlog event', priority: 'P3' } }],
    }));
    await app.get(DataSource).transaction((manager) => trail.recordMany(manager, changes));
    const committed = Date.now();
    await untilReceived(receiver, BACKLOG, 600_000);
    const drained = await receiver.ask('stats');
    const deliveriesPerSecond = BACKLOG / ((drained.lastArrival - committed) / 1000);

    log('bare receiver with the same client …');
    const baselinePerSecond = await bareReceiverRate(hookUrl, Math.min(BACKLOG, 10_000), BASELINE_IN_FLIGHT);

    // (b) Steady creates through the API; every create is one ticket.created delivery.
    log(`lag at ${RATE} creates/s for ${DURATION_MS / 1000} s …`);
    await receiver.ask('reset');
    const load = startWorker('load', { base, token, rate: RATE, durationMs: DURATION_MS });
    const created = await load.next();
    await untilReceived(receiver, created.created, 120_000);
    const lagged = await receiver.ask('stats');
    const lags = lagged.lags.sort((a, b) => a - b);

    // (c) The same rate of events, written by the audit trail in a transaction each.
    log(`lag at ${RATE} events/s written by the audit trail for ${DURATION_MS / 1000} s …`);
    await receiver.ask('reset');
    const written = await writeEventsAtRate(app.get(DataSource), trail, RATE, DURATION_MS);
    await untilReceived(receiver, written.events, 120_000);
    const direct = (await receiver.ask('stats')).lags.sort((a, b) => a - b);

    const result = {
      bench: 'webhooks',
      database: database.label,
      backlog: BACKLOG,
      deliveries_per_s: Math.round(deliveriesPerSecond),
      baseline_requests_per_s: Math.round(baselinePerSecond),
      ratio_to_baseline: Number((deliveriesPerSecond / baselinePerSecond).toFixed(2)),
      receiver_connections: drained.connections,
      rate_target: RATE,
      creates_per_s: Math.round(created.created / created.seconds),
      creates_failed: created.failed,
      create_latency_p50_ms: Math.round(created.latencyP50),
      create_latency_p99_ms: Math.round(created.latencyP99),
      lag_p50_ms: percentile(lags, 50),
      lag_p90_ms: percentile(lags, 90),
      lag_p99_ms: percentile(lags, 99),
      lag_max_ms: lags[lags.length - 1],
      events_per_s: Math.round(written.events / written.seconds),
      events_lag_p50_ms: percentile(direct, 50),
      events_lag_p99_ms: percentile(direct, 99),
      events_lag_max_ms: direct[direct.length - 1],
    };
    if (options.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        [
          `Webhooks on ${database.label} (service, database, receiver and load generator share this machine)`,
          `| measure | value |`,
          `|---|---|`,
          `| deliveries/s, backlog of ${BACKLOG} (commit → last arrival) | ${result.deliveries_per_s} |`,
          `| bare receiver, same client (${BASELINE_IN_FLIGHT} in flight), req/s | ${result.baseline_requests_per_s} |`,
          `| ratio to the bare receiver | ${result.ratio_to_baseline}× |`,
          `| connections the receiver accepted during the backlog | ${result.receiver_connections} |`,
          `| creates/s achieved (target ${RATE}), failed | ${result.creates_per_s}, ${result.creates_failed} |`,
          `| create latency p50 / p99 ms | ${result.create_latency_p50_ms} / ${result.create_latency_p99_ms} |`,
          `| outbox lag p50 / p90 / p99 / max ms | ${result.lag_p50_ms} / ${result.lag_p90_ms} / ${result.lag_p99_ms} / ${result.lag_max_ms} |`,
          `| events/s written by the audit trail (target ${RATE}) | ${result.events_per_s} |`,
          `| their outbox lag p50 / p99 / max ms | ${result.events_lag_p50_ms} / ${result.events_lag_p99_ms} / ${result.events_lag_max_ms} |`,
        ].join('\n'),
      );
    }
  } finally {
    await app.close();
    await receiver.worker.terminate();
    await database.drop();
  }
}
