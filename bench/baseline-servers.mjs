// The baselines `npm run bench` measures the service against (bench/run.mjs starts them as child processes):
//   node bench/baseline-servers.mjs bare    node:http and a pg pool, no framework
//   node bench/baseline-servers.mjs nest    a bare NestJS app on @nestjs/platform-express with the same pg pool:
//                                           one controller, no guards, pipes, interceptors, ORM or logging
// Both answer GET /api/v1/tickets/{id} with the same select by id and POST /api/v1/tickets with the same
// two-insert transaction (the ticket and its CREATED history row), so the service's ratio to each says what the
// framework costs and what the service adds on top of it. BASELINE_DATABASE_URL and BASELINE_PORT configure them.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
/** The service's default pool size. */
const POOL_SIZE = 10;

/** The two statements both baselines run, on one pool. */
async function ticketStatements(pool) {
  const { rows } = await pool.query(
    `SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS columns
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tickets' AND column_name <> 'search_vector'`,
  );
  const columns = rows[0].columns;
  const selectById = `SELECT ${columns} FROM tickets WHERE id = $1 AND deleted_at IS NULL`;
  const reporterId = randomUUID();
  return {
    async find(id) {
      const found = await pool.query(selectById, [id]);
      return found.rows[0] ?? null;
    },
    async create(input) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows: created } = await client.query(
          `INSERT INTO tickets (title, description, category, priority, environment, affected_service, impact_level, tags,
                                reporter_id, response_due_at, resolution_due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + interval '8 hours', now() + interval '72 hours')
           RETURNING ${columns}`,
          [
            input.title,
            input.description,
            input.category,
            input.priority,
            input.environment,
            input.affected_service,
            input.impact_level,
            input.tags,
            reporterId,
          ],
        );
        await client.query(
          `INSERT INTO ticket_history (ticket_id, change_type, user_id, metadata) VALUES ($1, 'CREATED', $2, $3)`,
          [created[0].id, reporterId, { status: 'NEW', priority: input.priority, title: input.title }],
        );
        await client.query('COMMIT');
        return created[0];
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

async function serveBare(tickets, port) {
  const send = (res, status, body) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const id = /^\/api\/v1\/tickets\/([0-9a-f-]{36})$/.exec(req.url)?.[1];
        if (req.method === 'GET' && id) {
          const found = await tickets.find(id);
          return found ? send(res, 200, found) : send(res, 404, { detail: 'not found' });
        }
        if (req.method === 'POST' && req.url === '/api/v1/tickets') {
          return send(res, 201, await tickets.create(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        }
        send(res, req.url === '/health/ready' ? 200 : 404, {});
      } catch (error) {
        send(res, 500, { detail: error.message });
      }
    });
  }).listen(port, '127.0.0.1');
}

/** Decorators applied by hand: this file is plain JavaScript, run without a compiler. */
async function serveNest(tickets, port) {
  require('reflect-metadata');
  const { Body, Controller, Get, HttpCode, Module, NotFoundException, Param, Post } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const decorate = (target, method, ...decorators) => {
    const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method);
    for (const decorator of decorators) decorator(target.prototype, method, descriptor);
  };

  class TicketsController {
    async find(id) {
      const found = await tickets.find(id);
      if (!found) throw new NotFoundException();
      return found;
    }

    create(input) {
      return tickets.create(input);
    }
  }
  decorate(TicketsController, 'find', Get(':id'));
  Param('id')(TicketsController.prototype, 'find', 0);
  decorate(TicketsController, 'create', Post(), HttpCode(201));
  Body()(TicketsController.prototype, 'create', 0);
  Controller('api/v1/tickets')(TicketsController);

  class HealthController {
    ready() {
      return {};
    }
  }
  decorate(HealthController, 'ready', Get('ready'));
  Controller('health')(HealthController);

  class BaselineModule {}
  Module({ controllers: [TicketsController, HealthController] })(BaselineModule);

  const app = await NestFactory.create(BaselineModule, { logger: false });
  await app.listen(port, '127.0.0.1');
}

const kind = process.argv[2];
const pool = new pg.Pool({ connectionString: process.env.BASELINE_DATABASE_URL, max: POOL_SIZE });
const tickets = await ticketStatements(pool);
const port = Number(process.env.BASELINE_PORT);
if (kind === 'bare') await serveBare(tickets, port);
else if (kind === 'nest') await serveNest(tickets, port);
else throw new Error(`unknown baseline "${kind}" (bare or nest)`);
// Exit normally on SIGTERM so that `--cpu-prof` can write a baseline's profile too.
process.once('SIGTERM', () => process.exit(0));
