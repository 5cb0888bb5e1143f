import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Role } from '@ticketing/contracts';
import type supertest from 'supertest';
import { auth, createTicket, ticketBody } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const TICKETS = '/api/v1/tickets';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MAIN_JS = join(__dirname, '..', 'apps/ticket-service/dist/apps/ticket-service/src/main.js');

/** Traces of a stack or of SQL that must never reach a client. */
function expectNoInternals(res: supertest.Response): void {
  expect(res.text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|\.(ts|js):\d+:\d+|node_modules/);
  expect(res.text).not.toMatch(/"stack"|"trace"/i);
}

/** Spec §2: the one error body; `errors` present exactly on VALIDATION_ERROR; request_id equals the header. */
function expectErrorBody(res: supertest.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const expected: Record<string, unknown> = {
    detail: expect.any(String),
    error_code: code,
    request_id: res.headers['x-request-id'],
  };
  if (code === 'VALIDATION_ERROR') expected.errors = expect.any(Array);
  expect(res.body).toStrictEqual(expected);
  expect(res.body.request_id).toEqual(expect.any(String));
  expect(res.body.detail.length).toBeGreaterThan(0);
  if (code !== 'VALIDATION_ERROR') expect(res.body).not.toHaveProperty('errors');
  expectNoInternals(res);
}

describe('platform', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('operations endpoints (spec §9), public', () => {
    it('answers /health as spec §9', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body).toStrictEqual({
        status: 'healthy',
        service: 'ticket-service',
        version: '1.0.0',
        environment: 'test',
      });
    });

    it('reports readiness when the database answers', async () => {
      const res = await t.http().get('/health/ready').expect(200);
      expect(res.body).toEqual({ status: 'ready', checks: { database: 'up' } });
    });

    it('serves Swagger UI at /docs without a token', async () => {
      const res = await t.http().get('/docs').redirects(1).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toMatch(/swagger/i);
    });

    it('serves ReDoc at /redoc without a token', async () => {
      const res = await t.http().get('/redoc').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('/redoc/redoc.standalone.js');
      expect(res.text).not.toMatch(/https?:\/\//); // nothing from a CDN: the page renders offline
      const script = await t.http().get('/redoc/redoc.standalone.js').expect(200);
      expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    });

    it('serves the OpenAPI 3 document at /openapi.json without a token', async () => {
      const res = await t.http().get('/openapi.json').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const doc = res.body;
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.paths['/api/v1/tickets']).toBeDefined();
      expect(doc.paths['/api/v1/tickets'].get).toBeDefined();
      expect(doc.paths['/api/v1/tickets'].post).toBeDefined();
      const schemes = Object.entries<Record<string, unknown>>(doc.components?.securitySchemes ?? {});
      const bearer = schemes.find(([, s]) => s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer');
      expect(bearer).toBeDefined();
      const security: Record<string, unknown>[] = doc.paths['/api/v1/tickets'].get.security ?? doc.security ?? [];
      expect(security.some((requirement) => bearer![0] in requirement)).toBe(true);
    });

    it('serves Prometheus metrics at /metrics without a token', async () => {
      await t.http().get('/health').expect(200);
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/^# TYPE http_requests_total counter$/m);
      expect(res.text).toMatch(/^http_requests_total\{.*\} \d+/m);
      expect(res.text).toMatch(/^process_cpu_user_seconds_total /m);
      expect(res.text).toMatch(/^process_resident_memory_bytes /m);
    });
  });

  describe('X-Request-ID (spec §2)', () => {
    it('echoes the caller request id and makes one otherwise', async () => {
      const echoed = await t.http().get('/health').set('X-Request-ID', 'abc-123').expect(200);
      expect(echoed.headers['x-request-id']).toBe('abc-123');
      const made = await t.http().get('/health').expect(200);
      expect(made.headers['x-request-id']).toMatch(UUID_V4);
    });

    it('carries the request id on API responses, success and error alike', async () => {
      const user = t.user(Role.DEVOPS_ENGINEER);
      const ok = await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .set('X-Request-ID', 'list-req-1')
        .expect(200);
      expect(ok.headers['x-request-id']).toBe('list-req-1');
      const made = await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .expect(200);
      expect(made.headers['x-request-id']).toMatch(UUID_V4);
      const missing = await t
        .http()
        .get(`${TICKETS}/${randomUUID()}`)
        .set(...auth(user))
        .set('X-Request-ID', 'missing-req-1');
      expectErrorBody(missing, 404, 'NOT_FOUND');
      expect(missing.body.request_id).toBe('missing-req-1');
    });

    it('makes a new id for each request', async () => {
      const first = await t.http().get('/health').expect(200);
      const second = await t.http().get('/health').expect(200);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });

    it.each([
      ['300 characters long', 'r'.repeat(300)],
      ['containing spaces', 'abc def'],
      ['containing a quote and angle brackets', '<script>"x"</script>'],
    ])('replaces an unreasonable id (%s) with a generated UUID', async (_name, offered) => {
      const res = await t.http().get(TICKETS).set('X-Request-ID', offered);
      expect(res.headers['x-request-id']).toMatch(UUID_V4);
      expect(res.headers['x-request-id']).not.toBe(offered);
      expectErrorBody(res, 401, 'UNAUTHORIZED');
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    });
  });

  describe('error bodies (spec §2)', () => {
    it('answers malformed JSON with VALIDATION_ERROR and an empty errors list', async () => {
      const user = t.user(Role.END_USER);
      const res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .set('Content-Type', 'application/json')
        .send('{"title": "Disk full", "description": ');
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([]);
    });

    it('rejects an unknown property, naming it in errors', async () => {
      const user = t.user(Role.END_USER);
      const res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .send(ticketBody({ colour: 'red' }));
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'colour', message: expect.any(String) }]));
      for (const error of res.body.errors) {
        expect(error).toStrictEqual({ field: expect.any(String), message: expect.any(String) });
      }
    });

    it('names each bad field in errors', async () => {
      const user = t.user(Role.END_USER);
      const res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .send(ticketBody({ title: 'abc', category: 'NOPE' }));
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
      const fields = (res.body.errors as { field: string }[]).map((error) => error.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'category']));
    });

    it('rejects a JSON endpoint called with another content type (text/plain), creating nothing', async () => {
      const user = t.user(Role.END_USER);
      const res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify(ticketBody()));
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
      const list = await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .expect(200);
      expect(list.body.total).toBe(0);
    });

    it('answers 401, not 400, to a wrong content type without a valid token: authentication comes first', async () => {
      const res = await t.http().post(TICKETS).set('Content-Type', 'text/plain').send(JSON.stringify(ticketBody()));
      expectErrorBody(res, 401, 'UNAUTHORIZED');
    });

    it('refuses a body sent to a read that takes none, also when the token was verified before', async () => {
      const user = t.user(Role.END_USER);
      await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .expect(200);
      const res = await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .send({ status: 'NEW' });
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
    });

    it('rejects a path id that is not a UUID', async () => {
      const user = t.user(Role.ADMIN);
      const res = await t
        .http()
        .get(`${TICKETS}/not-a-uuid`)
        .set(...auth(user));
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
    });

    it('answers an unknown ticket id with NOT_FOUND', async () => {
      const user = t.user(Role.ADMIN);
      const res = await t
        .http()
        .get(`${TICKETS}/${randomUUID()}`)
        .set(...auth(user));
      expectErrorBody(res, 404, 'NOT_FOUND');
    });

    it('answers an unknown route with NOT_FOUND for an authenticated caller', async () => {
      const user = t.user(Role.ADMIN);
      const res = await t
        .http()
        .get('/api/v1/nowhere')
        .set(...auth(user));
      expectErrorBody(res, 404, 'NOT_FOUND');
      expect(res.body.detail).toBe('Resource not found');
    });

    it('answers a JSON body above 1 MiB with PAYLOAD_TOO_LARGE', async () => {
      const user = t.user(Role.END_USER);
      const res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .send(ticketBody({ description: 'x'.repeat(1024 * 1024 + 16) }));
      expectErrorBody(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('accepts a JSON body just under 1 MiB as far as the size goes (400 for the field, not 413)', async () => {
      const user = t.user(Role.END_USER);
      const res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .send(ticketBody({ description: 'x'.repeat(1024 * 1024 - 1024) }));
      expectErrorBody(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'description', message: expect.any(String) }]));
    });
  });

  describe('ETags (spec §2)', () => {
    it('gives a single ticket a strong ETag equal to its quoted version', async () => {
      const user = t.user(Role.END_USER);
      const ticket = await createTicket(t, user);
      const res = await t
        .http()
        .get(`${TICKETS}/${ticket.id}`)
        .set(...auth(user))
        .expect(200);
      // A ticket nobody changed yet is at version 1 (spec §4), and its ETag is that version, quoted.
      expect(res.body.version).toBe(1);
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers.etag).not.toMatch(/^W\//);
    });

    it('moves the ETag with the version when the ticket changes', async () => {
      const reporter = t.user(Role.END_USER);
      const manager = t.user(Role.MANAGER);
      const ticket = await createTicket(t, reporter);
      const before = await t
        .http()
        .get(`${TICKETS}/${ticket.id}`)
        .set(...auth(manager))
        .expect(200);
      const patched = await t
        .http()
        .patch(`${TICKETS}/${ticket.id}`)
        .set(...auth(manager))
        .send({ priority: 'P2' })
        .expect(200);
      expect(patched.headers.etag).toBe(`"${patched.body.version}"`);
      const after = await t
        .http()
        .get(`${TICKETS}/${ticket.id}`)
        .set(...auth(manager))
        .expect(200);
      expect(after.headers.etag).toBe(`"${after.body.version}"`);
      expect(after.headers.etag).not.toBe(before.headers.etag);
    });

    it('sends no ETag on list responses', async () => {
      const user = t.user(Role.END_USER);
      const ticket = await createTicket(t, user);
      const res = await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .expect(200);
      // An END_USER lists the tickets they reported (spec §7): the one just created.
      expect(res.body).toMatchObject({ total: 1, items: [expect.objectContaining({ id: ticket.id })] });
      expect(res.headers.etag).toBeUndefined();
    });
  });
});

describe('platform: unexpected database error (spec §2, 500)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers INTERNAL_ERROR without SQL, table names or a stack', async () => {
    const user = t.user(Role.END_USER);
    await t.dataSource.query('ALTER TABLE ticket_history RENAME TO ticket_history_x');
    let res: supertest.Response;
    try {
      res = await t
        .http()
        .post(TICKETS)
        .set(...auth(user))
        .set('X-Request-ID', 'boom-1')
        .send(ticketBody());
    } finally {
      await t.dataSource.query('ALTER TABLE ticket_history_x RENAME TO ticket_history');
    }
    expectErrorBody(res, 500, 'INTERNAL_ERROR');
    expect(res.body.request_id).toBe('boom-1');
    expect(res.text).not.toMatch(/ticket_history|relation|INSERT|SELECT|UPDATE |QueryFailedError|syntax|\bSQL\b/i);

    // The failed create left no ticket behind, and the service works again once the table is back.
    const list = await t
      .http()
      .get(TICKETS)
      .set(...auth(user))
      .expect(200);
    expect(list.body.total).toBe(0);
    await createTicket(t, user);
  });
});

describe('platform: database outage (spec §2, §9)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    if (t.database.kind === 'postgres') await t.setDatabaseDown(false);
    await t.close();
  });

  it('turns readiness and the API to 503 SERVICE_UNAVAILABLE while /health stays up', async () => {
    const user = t.user(Role.ADMIN);
    await t.http().get('/health/ready').expect(200);

    await t.setDatabaseDown(true);

    const ready = await t.http().get('/health/ready');
    expectErrorBody(ready, 503, 'SERVICE_UNAVAILABLE');
    const api = await t
      .http()
      .get(TICKETS)
      .set(...auth(user));
    expectErrorBody(api, 503, 'SERVICE_UNAVAILABLE');
    const live = await t.http().get('/health').expect(200);
    expect(live.body.status).toBe('healthy');
  });
});

describe('production configuration (spec §3)', () => {
  function startInProduction(env: Record<string, string>) {
    return spawnSync(process.execPath, [MAIN_JS], {
      env: { PATH: process.env.PATH ?? '', ENVIRONMENT: 'production', SERVICE_PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  it('refuses to start with a JWT_SECRET_KEY shorter than 32 characters', () => {
    const run = startInProduction({
      JWT_SECRET_KEY: 'short',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
    });
    expect(run.error).toBeUndefined();
    expect(run.status).not.toBeNull();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/JWT_SECRET_KEY/);
  });

  it('refuses to start without JWT_SECRET_KEY', () => {
    const run = startInProduction({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' });
    expect(run.error).toBeUndefined();
    expect(run.status).not.toBeNull();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/JWT_SECRET_KEY/);
  });

  it('refuses to start without DATABASE_URL', () => {
    const run = startInProduction({ JWT_SECRET_KEY: 'p'.repeat(40) });
    expect(run.error).toBeUndefined();
    expect(run.status).not.toBeNull();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/DATABASE_URL/);
    expect(run.stderr).not.toMatch(/JWT_SECRET_KEY/);
  });
});
