// A bare NestJS (platform-express) app: one GET route doing the same select by id through a pg pool.
require('reflect-metadata');
const { Module, Controller, Get, Param, Injectable, Inject } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const pg = require('pg');
const pool = new pg.Pool({ connectionString: process.env.BASELINE_DATABASE_URL, max: 10 });
let selectById;
class TicketsController {
  async get(id) {
    const { rows } = await pool.query(selectById, [id]);
    return rows[0];
  }
  health() { return {}; }
}
Get(':id')(TicketsController.prototype, 'get', Object.getOwnPropertyDescriptor(TicketsController.prototype, 'get'));
Param('id')(TicketsController.prototype, 'get', 0);
Controller('api/v1/tickets')(TicketsController);
class HealthController { ready() { return {}; } }
Get('ready')(HealthController.prototype, 'ready', Object.getOwnPropertyDescriptor(HealthController.prototype, 'ready'));
Controller('health')(HealthController);
class AppModule {}
Module({ controllers: [TicketsController, HealthController] })(AppModule);
(async () => {
  const { rows } = await pool.query(`SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) AS columns FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tickets' AND column_name <> 'search_vector'`);
  selectById = `SELECT ${rows[0].columns} FROM tickets WHERE id = $1 AND deleted_at IS NULL`;
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(Number(process.env.BASELINE_PORT), '127.0.0.1');
  process.once('SIGTERM', () => process.exit(0));
})();
