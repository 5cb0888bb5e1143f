// Bulk status change (issue 15) of the built service (npm run build first), in one run: one
// POST /api/v1/tickets/bulk moving 100 tickets against 100 PATCH /api/v1/tickets/{id}/status sent back to back
// (each waits for the previous answer) through the same API, same client, same service, same database.
// Rounds alternate which goes first and move the tickets OPEN ↔ IN_PROGRESS, so both sides make the same
// changes (a transaction each, with history rows and events); the medians and their ratio are reported.
//
//   node bench/bulk.mjs [--url postgres://postgres@127.0.0.1:5432/postgres] [--tickets 100] [--rounds 5] [--json]
//
// --url defaults to BENCH_DATABASE_URL (the run creates a database of its own and drops it); without one the
// embedded PGlite is used. The service runs in this process, listening on loopback. It fails only when a request
// does (timings are reported, not judged: CI runs it small to keep it working).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { openBenchDatabase } from './bench-database.mjs';

/** The target: the bulk request takes under twice the time of the single changes. */
const TARGET_RATIO = 2;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const { values: options } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.BENCH_DATABASE_URL },
      tickets: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  const TICKETS = Number(options.tickets);
  const ROUNDS = Number(options.rounds);
  const log = (line) => process.stderr.write(`${line}\n`);

  const require = createRequire(import.meta.url);
  const dist = '../apps/ticket-service/dist/apps/ticket-service/src';
  const { createApp } = require(`${dist}/app.setup.js`);
  const { parseConfig } = require(`${dist}/config/app-config.js`);
  const { createRootLogger } = require(`${dist}/common/logging/logger.js`);
  const { mintAccessToken } = require(`${dist}/common/auth/access-token.js`);

  const database = await openBenchDatabase(options.url, 'bulk');

  const config = parseConfig({
    ENVIRONMENT: 'test',
    JWT_SECRET_KEY: 'bench-secret-with-at-least-32-characters',
    RATE_LIMIT_PER_MINUTE: '0',
    SLA_CHECK_INTERVAL_SECONDS: '86400',
    NOTIFICATIONS_ENABLED: 'false',
    ...database.env,
  });
  const app = await createApp(config, { logger: createRootLogger('error') });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const headers = {
    authorization: `Bearer ${mintAccessToken(config.auth, { role: 'ADMIN', sub: randomUUID() })}`,
    'content-type': 'application/json',
  };
  const call = async (method, path, body, expected) => {
    const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
    const answer = await res.json();
    if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };

  try {
    log(`${database.label}: creating ${2 * TICKETS} tickets …`);
    const create = async () => {
      const ids = [];
      for (let i = 0; i < TICKETS; i++) {
        const ticket = await call(
          'POST',
          '/api/v1/tickets',
          {
            title: `Bulk benchmark ticket ${i}`,
            description: 'A ticket the bulk benchmark moves back and forth.',
            category: 'INCIDENT',
          },
          201,
        );
        ids.push(ticket.id);
      }
      // NEW → OPEN outside the measurement: the rounds then alternate OPEN ↔ IN_PROGRESS on both sides.
      await call('POST', '/api/v1/tickets/bulk', { ids, action: 'status', status: 'OPEN' }, 200);
      return ids;
    };
    const singleIds = await create();
    const bulkIds = await create();

    const single = async (status) => {
      const started = performance.now();
      for (const id of singleIds) await call('PATCH', `/api/v1/tickets/${id}/status`, { status }, 200);
      return performance.now() - started;
    };
    const bulk = async (status) => {
      const started = performance.now();
      const { results } = await call('POST', '/api/v1/tickets/bulk', { ids: bulkIds, action: 'status', status }, 200);
      const elapsed = performance.now() - started;
      const refused = results.filter((item) => item.status !== 200);
      if (refused.length > 0) throw new Error(`bulk refused ${refused.length} items: ${JSON.stringify(refused[0])}`);
      return elapsed;
    };

    const singleMs = [];
    const bulkMs = [];
    for (let round = 0; round < ROUNDS; round++) {
      const status = round % 2 === 0 ? 'IN_PROGRESS' : 'OPEN';
      if (round % 2 === 0) {
        singleMs.push(await single(status));
        bulkMs.push(await bulk(status));
      } else {
        bulkMs.push(await bulk(status));
        singleMs.push(await single(status));
      }
      log(
        `round ${round + 1}: ${TICKETS} single ${singleMs.at(-1).toFixed(0)} ms, bulk ${bulkMs.at(-1).toFixed(0)} ms`,
      );
    }

    const result = {
      bench: 'bulk',
      database: database.label,
      tickets: TICKETS,
      rounds: ROUNDS,
      single_median_ms: Math.round(median(singleMs)),
      bulk_median_ms: Math.round(median(bulkMs)),
      ratio: Number((median(bulkMs) / median(singleMs)).toFixed(2)),
      target_ratio_below: TARGET_RATIO,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      process.stdout.write(
        [
          `| ${result.database}, ${TICKETS} tickets, median of ${ROUNDS} rounds | time |`,
          '| --- | ---: |',
          `| ${TICKETS} × PATCH /tickets/{id}/status, back to back | ${result.single_median_ms} ms |`,
          `| 1 × POST /tickets/bulk (action status) | ${result.bulk_median_ms} ms |`,
          `| ratio bulk / single (target < ${TARGET_RATIO}) | ${result.ratio} |`,
          '',
        ].join('\n'),
      );
    }
  } finally {
    await app.close();
    await database.drop();
  }
}

await main();
