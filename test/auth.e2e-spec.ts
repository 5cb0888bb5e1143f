import { spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Role } from '@ticketing/contracts';
import jwt, { type Algorithm } from 'jsonwebtoken';
import type supertest from 'supertest';
import { createRootLogger, JsonNestLogger } from '../apps/ticket-service/src/common/logging/logger';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

const TICKETS = '/api/v1/tickets';
/** The ticket list of spec §2 when there is no ticket at all (this suite creates none). */
const EMPTY_PAGE = { items: [], total: 0, page: 1, page_size: 20, pages: 0 };
const MINT_TOKEN_CLI = join(__dirname, '..', 'apps/ticket-service/dist/apps/ticket-service/src/cli/mint-token.js');

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A complete, valid set of access-token claims (seed §3); override or remove (undefined) any of them. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const all: Record<string, unknown> = {
    sub: randomUUID(),
    username: 'alice',
    email: 'alice@example.com',
    role: Role.DEVOPS_ENGINEER,
    type: 'access',
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    ...overrides,
  };
  for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key];
  return all;
}

/** Signs exactly the given claims (no iat or exp added by the library). */
function sign(payload: Record<string, unknown>, secret = TEST_JWT_SECRET, algorithm: Algorithm = 'HS256'): string {
  return jwt.sign(payload, secret, { algorithm, noTimestamp: !('iat' in payload) });
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`), crafted by hand. */
function unsignedToken(payload: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

/** Signs any payload, also one jsonwebtoken would refuse to sign (null, a number, an array). */
function signRaw(payloadJson: string): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${signingInput}.${createHmac('sha256', TEST_JWT_SECRET).update(signingInput).digest('base64url')}`;
}

/**
 * The RFC 6750 §3 challenges: no error code when no bearer credentials were sent (§3.1), otherwise
 * `invalid_token`, described as expired or, for every other fault, generically.
 */
const CHALLENGES = {
  missing: 'Bearer realm="ticket-service"',
  invalid: 'Bearer realm="ticket-service", error="invalid_token", error_description="invalid token"',
  expired: 'Bearer realm="ticket-service", error="invalid_token", error_description="token expired"',
} as const;

/** Spec §2/§3: 401 UNAUTHORIZED in the error body, no `errors`, and the RFC 6750 challenge of `kind`. */
function expectUnauthorized(res: supertest.Response, kind: keyof typeof CHALLENGES = 'invalid'): void {
  expect(res.status).toBe(401);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.body).toStrictEqual({
    detail: expect.any(String),
    error_code: 'UNAUTHORIZED',
    request_id: res.headers['x-request-id'],
  });
  expect(res.body).not.toHaveProperty('errors');
  expect(res.body.detail.length).toBeGreaterThan(0);
  expect(res.headers['www-authenticate']).toBe(CHALLENGES[kind]);
  expect(res.text).not.toMatch(/\n\s+at /);
}

describe('authentication (spec §3)', () => {
  let t: TestApp;
  /** Every line the service logs, as parsed JSON. */
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(
          ...chunk
            .toString('utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line)),
        );
        done();
      },
    });
    t.app.useLogger(new JsonNestLogger(createRootLogger('info', sink)));
  });

  afterAll(async () => {
    await t.close();
  });

  const withBearer = (token: string) => t.http().get(TICKETS).set('Authorization', `Bearer ${token}`);

  describe('accepts', () => {
    it('a valid HS256 access token with a known role', async () => {
      const res = await withBearer(sign(claims())).expect(200);
      // This suite creates no ticket: the caller gets the empty envelope of spec §2.
      expect(res.body).toEqual(EMPTY_PAGE);
    });

    it.each(Object.values(Role))('every one of the five roles (%s)', async (role) => {
      await withBearer(sign(claims({ role }))).expect(200);
    });

    it('a token expired less than the 30 s clock skew ago', async () => {
      const now = nowSeconds();
      await withBearer(sign(claims({ iat: now - 3600, exp: now - 10 }))).expect(200);
    });

    it('a token issued less than the 30 s clock skew in the future', async () => {
      const now = nowSeconds();
      await withBearer(sign(claims({ iat: now + 10, exp: now + 3600 }))).expect(200);
    });

    it.each([
      ['lower case', 'bearer '],
      ['upper case', 'BEARER '],
      ['several spaces before the token', 'Bearer   '],
    ])('the scheme in %s (RFC 7235: case-insensitive; RFC 6750: 1*SP)', async (_name, prefix) => {
      await t
        .http()
        .get(TICKETS)
        .set('Authorization', `${prefix}${sign(claims())}`)
        .expect(200);
    });
  });

  describe('rejects with 401', () => {
    it('a request without an Authorization header, with no error code (RFC 6750 §3.1)', async () => {
      expectUnauthorized(await t.http().get(TICKETS), 'missing');
    });

    it('another scheme (Basic), with no error code (RFC 6750 §3.1)', async () => {
      expectUnauthorized(await t.http().get(TICKETS).set('Authorization', 'Basic YWxpY2U6c2VjcmV0'), 'missing');
    });

    it('a valid token under another scheme', async () => {
      expectUnauthorized(
        await t
          .http()
          .get(TICKETS)
          .set('Authorization', `Token ${sign(claims())}`),
        'missing',
      );
    });

    it.each([
      ['two tokens', (token: string) => `Bearer ${token} ${token}`],
      ['a valid token followed by garbage', (token: string) => `Bearer ${token} x`],
      ['a tab between scheme and token', (token: string) => `Bearer\t${token}`],
      ['a comma-separated second credential', (token: string) => `Bearer ${token}, Basic YWxpY2U6c2VjcmV0`],
    ])('%s (exactly one scheme and one token)', async (_name, header) => {
      expectUnauthorized(
        await t
          .http()
          .get(TICKETS)
          .set('Authorization', header(sign(claims()))),
      );
    });

    it.each(['null', '42', '"alice"', '[]', 'true'])(
      'a correctly signed token whose payload is %s',
      async (payload) => {
        expectUnauthorized(await withBearer(signRaw(payload)));
      },
    );

    it('Bearer without a token', async () => {
      expectUnauthorized(await t.http().get(TICKETS).set('Authorization', 'Bearer '));
    });

    it('a malformed token', async () => {
      expectUnauthorized(await withBearer('not.a.jwt'));
    });

    it('alg none (unsigned)', async () => {
      expectUnauthorized(await withBearer(unsignedToken(claims())));
    });

    it('alg none carrying the signature of a valid token', async () => {
      const [, payload, signature] = sign(claims()).split('.');
      expectUnauthorized(await withBearer(`${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`));
    });

    it('a token signed with another secret', async () => {
      expectUnauthorized(await withBearer(sign(claims(), 'another-secret-that-is-also-long-enough!!')));
    });

    it('HS512 while HS256 is configured (same secret)', async () => {
      expectUnauthorized(await withBearer(sign(claims(), TEST_JWT_SECRET, 'HS512')));
    });

    it('HS384 while HS256 is configured (same secret)', async () => {
      expectUnauthorized(await withBearer(sign(claims(), TEST_JWT_SECRET, 'HS384')));
    });

    it('a tampered payload (role raised after signing)', async () => {
      const [header, , signature] = sign(claims({ role: Role.END_USER })).split('.');
      const forged = base64url(claims({ role: Role.ADMIN }));
      expectUnauthorized(await withBearer(`${header}.${forged}.${signature}`));
    });

    it('a token expired beyond the 30 s clock skew, saying that it expired', async () => {
      const now = nowSeconds();
      const res = await withBearer(sign(claims({ iat: now - 3600, exp: now - 60 })));
      expectUnauthorized(res, 'expired');
      expect(res.body.detail).toBe('Access token expired');
    });

    it('a token without exp', async () => {
      expectUnauthorized(await withBearer(sign(claims({ exp: undefined }))));
    });

    it('a token issued in the future beyond the 30 s clock skew', async () => {
      const now = nowSeconds();
      expectUnauthorized(await withBearer(sign(claims({ iat: now + 120, exp: now + 3600 }))));
    });

    it('a refresh token', async () => {
      expectUnauthorized(await withBearer(sign(claims({ type: 'refresh' }))));
    });

    it('a token without type', async () => {
      expectUnauthorized(await withBearer(sign(claims({ type: undefined }))));
    });

    it('an unknown role', async () => {
      expectUnauthorized(await withBearer(sign(claims({ role: 'SUPERUSER' }))));
    });

    it('a lower-case role', async () => {
      expectUnauthorized(await withBearer(sign(claims({ role: 'admin' }))));
    });

    it('a token without role', async () => {
      expectUnauthorized(await withBearer(sign(claims({ role: undefined }))));
    });

    it('a subject that is not a UUID', async () => {
      expectUnauthorized(await withBearer(sign(claims({ sub: 'alice' }))));
    });

    it('a token without subject', async () => {
      expectUnauthorized(await withBearer(sign(claims({ sub: undefined }))));
    });

    it('on writes as well as reads (POST without a token)', async () => {
      expectUnauthorized(await t.http().post(TICKETS).send({ title: 'Anything at all' }), 'missing');
    });

    it('with request_id equal to the caller-supplied X-Request-ID', async () => {
      const res = await t.http().get(TICKETS).set('X-Request-ID', 'auth-probe-42');
      expectUnauthorized(res, 'missing');
      expect(res.body.request_id).toBe('auth-probe-42');
    });
  });

  describe('says why in the log, not in the answer (issue 11, point 8)', () => {
    const refusalOf = (requestId: string) =>
      logLines.find((line) => line.requestId === requestId && line.msg === 'request not authenticated');

    it.each([
      ['an expired token', () => sign(claims({ exp: nowSeconds() - 120 })), 'expired', 'token has expired'],
      [
        'a wrong signature',
        () => sign(claims(), 'another-secret-that-is-also-long-enough!!'),
        'invalid',
        'invalid signature',
      ],
      ['an unknown role', () => sign(claims({ role: 'ROOT' })), 'invalid', 'unknown role'],
      ['a null payload', () => signRaw('null'), 'invalid', 'token claims are not a JSON object'],
    ] as const)('%s: the answer names only the kind, the log the reason', async (name, token, kind, reason) => {
      const requestId = `auth-log-${name.replace(/\W+/g, '-')}`;
      const sent = token();
      const res = await withBearer(sent).set('X-Request-ID', requestId);
      expectUnauthorized(res, kind);
      expect(res.text).not.toContain(reason);
      expect(refusalOf(requestId)).toMatchObject({ auth: { kind, reason } });
      expect(JSON.stringify(logLines)).not.toContain(sent);
    });

    it('a request without credentials is logged as missing', async () => {
      await t.http().get(TICKETS).set('X-Request-ID', 'auth-log-missing').expect(401);
      expect(refusalOf('auth-log-missing')).toMatchObject({
        auth: { kind: 'missing', reason: 'no Authorization header' },
      });
    });
  });

  describe('the token command (spec §3)', () => {
    it('mints a MANAGER token for a given user and TTL that the service accepts', async () => {
      const sub = randomUUID();
      const run = spawnSync(process.execPath, [MINT_TOKEN_CLI, '--role', 'MANAGER', '--sub', sub, '--ttl', '10m'], {
        env: { PATH: process.env.PATH ?? '', JWT_SECRET_KEY: TEST_JWT_SECRET },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.error).toBeUndefined();
      expect(run.status).toBe(0);
      const token = run.stdout.trim();
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      const header = jwt.decode(token, { complete: true })?.header;
      expect(header?.alg).toBe('HS256');
      const decoded = jwt.verify(token, TEST_JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(decoded).toMatchObject({ role: 'MANAGER', sub, type: 'access' });
      expect(Math.abs(decoded.exp! - (nowSeconds() + 600))).toBeLessThanOrEqual(10);

      const res = await withBearer(token).expect(200);
      expect(res.body).toEqual(EMPTY_PAGE);
    });
  });
});
