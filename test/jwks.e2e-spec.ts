import { spawnSync } from 'node:child_process';
import { createHmac, createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@ticketing/contracts';
import type { JWK } from 'jose';
import type supertest from 'supertest';
import type { AsymmetricJwtAlgorithm } from '../apps/ticket-service/src/config/app-config';
import { errorAnswerProblems } from './support/error-answer';
import { createTestKey, type JwksServer, startJwksServer, type TestKey } from './support/jwks-server';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

/**
 * Issue 13 §3: tokens signed by the auth service's rotating asymmetric keys, verified against its JWKS, which this
 * suite serves itself. The service's clock is moved instead of waiting out the JWKS cooldown (30 s) and cache
 * lifetime (600 s), the defaults.
 */
const TICKETS = '/api/v1/tickets';
const MINT_TOKEN_CLI = join(__dirname, '..', 'apps/ticket-service/dist/apps/ticket-service/src/cli/mint-token.js');
const COOLDOWN_MS = 30_000;
const CACHE_MS = 600_000;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A complete, valid set of access-token claims; override or remove (undefined) any of them. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const all: Record<string, unknown> = {
    sub: randomUUID(),
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

/** An HS256 token whose HMAC key is `secret`, with the given header fields: the algorithm-confusion attack. */
function hs256Token(secret: string, header: Record<string, unknown>): string {
  const input = `${base64url({ alg: 'HS256', typ: 'JWT', ...header })}.${base64url(claims())}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Spec §2/§3: 401 with the error body and the RFC 6750 challenge of an invalid (or expired) token. */
function expectRefused(res: supertest.Response, kind: 'invalid' | 'expired' = 'invalid'): void {
  expect(errorAnswerProblems(res, 401, 'UNAUTHORIZED', false)).toEqual([]);
  expect(res.headers['www-authenticate']).toBe(
    `Bearer realm="ticket-service", error="invalid_token", error_description="${kind === 'expired' ? 'token expired' : 'invalid token'}"`,
  );
}

/** An app verifying `algorithm` tokens against `jwks`, with the rate limiter on (it verifies tokens too). */
function startJwksApp(algorithm: AsymmetricJwtAlgorithm, jwks: JwksServer): Promise<TestApp> {
  return startTestApp({
    JWT_SECRET_KEY: '',
    JWT_ALGORITHM: algorithm,
    JWT_JWKS_URL: jwks.url,
    JWT_JWKS_TIMEOUT_MS: '500',
    RATE_LIMIT_PER_MINUTE: '100000',
  });
}

describe('access tokens verified against the auth service JWKS (issue 13 §3)', () => {
  let jwks: JwksServer;
  let t: TestApp;
  let keyA: TestKey;
  let keyB: TestKey;
  /** The service's clock, moved forward by the tests. */
  let now = Date.now();
  const advance = (ms: number) => {
    now += ms;
    t.setNow(new Date(now));
  };
  const get = (token: string) => t.http().get(TICKETS).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    jwks = await startJwksServer();
    [keyA, keyB] = await Promise.all([createTestKey('RS256', 'key-a'), createTestKey('RS256', 'key-b')]);
    t = await startJwksApp('RS256', jwks);
    t.setNow(new Date(now));
  });

  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  it('answers 401 (never 500) with the spec error body while the JWKS endpoint is down and no key is cached', async () => {
    jwks.setMode('down');
    expectRefused(await get(await keyA.sign(claims())));
    // The rate limiter and the guard share one verifier: one fetch for the request.
    expect(jwks.fetches()).toBe(1);
  });

  it('answers 401 when the JWKS endpoint does not answer within JWT_JWKS_TIMEOUT_MS', async () => {
    advance(COOLDOWN_MS);
    jwks.setMode('hanging');
    const started = Date.now();
    expectRefused(await get(await keyA.sign(claims())));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(jwks.fetches()).toBe(2);
  });

  it('fetches the key set again only after the cooldown once the endpoint is back', async () => {
    jwks.setMode('up');
    jwks.publish([keyA.publicJwk]);
    expectRefused(await get(await keyA.sign(claims())));
    expect(jwks.fetches()).toBe(2);

    advance(COOLDOWN_MS);
    const res = await get(await keyA.sign(claims())).expect(200);
    expect(res.body).toMatchObject({ items: [], total: 0 });
    expect(jwks.fetches()).toBe(3);
  });

  it('accepts RS256 tokens of every role from the cached set without fetching it again', async () => {
    for (const role of Object.values(Role)) await get(await keyA.sign(claims({ role }))).expect(200);
    expect(jwks.fetches()).toBe(3);
  });

  it.each([
    ['alg none', () => `${base64url({ alg: 'none', typ: 'JWT', kid: 'key-a' })}.${base64url(claims())}.`],
    ['HS256 signed with the shared test secret', () => hs256Token(TEST_JWT_SECRET, { kid: 'key-a' })],
  ])('refuses %s without looking up a key', async (_name, token) => {
    expectRefused(await get(token()));
    expect(jwks.fetches()).toBe(3);
  });

  it('refuses HS256 tokens "signed" with the public key as the HMAC secret (PEM or JWK)', async () => {
    const pem = createPublicKey({ key: keyA.publicJwk as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    expectRefused(await get(hs256Token(pem, { kid: 'key-a' })));
    expectRefused(await get(hs256Token(JSON.stringify(keyA.publicJwk), { kid: 'key-a' })));
    expect(jwks.fetches()).toBe(3);
  });

  it('refuses a token signed with another key under a published kid, and tokens of another algorithm', async () => {
    const impostor = await createTestKey('RS256', 'key-a');
    expectRefused(await get(await impostor.sign(claims())));
    const es256 = await createTestKey('ES256', 'key-a');
    expectRefused(await get(await es256.sign(claims())));
  });

  it.each([
    ['without exp', { exp: undefined }, 'invalid'],
    ['expired beyond the clock skew', { iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }, 'expired'],
    ['issued in the future beyond the clock skew', { iat: nowSeconds() + 120 }, 'invalid'],
    ['of type refresh', { type: 'refresh' }, 'invalid'],
    ['without type', { type: undefined }, 'invalid'],
    ['with an unknown role', { role: 'SUPERUSER' }, 'invalid'],
    ['without role', { role: undefined }, 'invalid'],
    ['with a subject that is not a UUID', { sub: 'alice' }, 'invalid'],
    ['without subject', { sub: undefined }, 'invalid'],
  ] as const)('refuses a correctly signed token %s', async (_name, overrides, kind) => {
    expectRefused(await get(await keyA.sign(claims(overrides))), kind);
  });

  describe('key rotation', () => {
    /** Verified before the rotation, so answered from the verified-token cache until a key is dropped. */
    let tokenOfA: string;

    it('picks up a new kid without a restart, and the old kid stays valid while it is published', async () => {
      tokenOfA = await keyA.sign(claims());
      await get(tokenOfA).expect(200);
      jwks.publish([keyA.publicJwk, keyB.publicJwk]);
      advance(COOLDOWN_MS);
      const fetchesBefore = jwks.fetches();
      await get(await keyB.sign(claims())).expect(200);
      expect(jwks.fetches()).toBe(fetchesBefore + 1);
      await get(await keyA.sign(claims())).expect(200);
      await get(tokenOfA).expect(200);
    });

    it('refuses the old kid, also tokens verified before, once the set no longer has it', async () => {
      jwks.publish([keyB.publicJwk]);
      // Until the set is fetched again (its cache lifetime), the service knows nothing of the removal.
      await get(tokenOfA).expect(200);
      advance(CACHE_MS);
      const fetchesBefore = jwks.fetches();
      await get(await keyB.sign(claims())).expect(200);
      expect(jwks.fetches()).toBe(fetchesBefore + 1);
      expectRefused(await get(tokenOfA));
      expectRefused(await get(await keyA.sign(claims())));
    });
  });

  it('fetches the set at most once per cooldown however many unknown kids tokens name', async () => {
    advance(COOLDOWN_MS);
    const strangers = await Promise.all(Array.from({ length: 8 }, (_, i) => createTestKey('RS256', `unknown-${i}`)));
    const fetchesBefore = jwks.fetches();
    const answers = await Promise.all(strangers.map(async (key) => get(await key.sign(claims()))));
    for (const res of answers) expectRefused(res);
    for (const key of strangers) expectRefused(await get(await key.sign(claims())));
    expect(jwks.fetches()).toBe(fetchesBefore + 1);

    advance(COOLDOWN_MS);
    expectRefused(await get(await strangers[0].sign(claims())));
    expect(jwks.fetches()).toBe(fetchesBefore + 2);
  });

  it('keeps using the cached set when a refresh fails, and refuses kids it does not have', async () => {
    jwks.setMode('down');
    advance(CACHE_MS);
    const fetchesBefore = jwks.fetches();
    await get(await keyB.sign(claims())).expect(200);
    expect(jwks.fetches()).toBe(fetchesBefore + 1);
    expectRefused(await get(await keyA.sign(claims())));
    jwks.setMode('up');
  });

  it('accepts a token from `npm run token --key`, whose --jwks output the auth service publishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwks-cli-'));
    try {
      const keyFile = join(dir, 'signing-key.pem');
      const run = (args: string[]) => {
        const result = spawnSync(process.execPath, [MINT_TOKEN_CLI, '--key', keyFile, ...args], {
          env: { PATH: process.env.PATH ?? '', JWT_ALGORITHM: 'RS256' },
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(result.status).toBe(0);
        return result.stdout.trim();
      };
      const published = JSON.parse(run(['--jwks'])) as { keys: JWK[] };
      expect(published.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' })]);
      const sub = randomUUID();
      const token = run(['--role', 'MANAGER', '--sub', sub, '--ttl', '10m']);

      jwks.publish([keyB.publicJwk, published.keys[0]]);
      advance(COOLDOWN_MS);
      await get(token).expect(200);
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
      expect(header).toMatchObject({ alg: 'RS256', kid: published.keys[0].kid });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(['ES256', 'EdDSA'] as const)('%s tokens from the JWKS', (algorithm) => {
  let jwks: JwksServer;
  let t: TestApp;
  let key: TestKey;
  const get = (token: string) => t.http().get(TICKETS).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    jwks = await startJwksServer();
    key = await createTestKey(algorithm, `${algorithm}-1`);
    jwks.publish([key.publicJwk]);
    t = await startJwksApp(algorithm, jwks);
  });

  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  it('are accepted', async () => {
    await get(await key.sign(claims())).expect(200);
    await get(await key.sign(claims({ role: Role.ADMIN }))).expect(200);
  });

  it('are refused when signed with RS256 under the published kid, or HS256 with the public key', async () => {
    const rs256 = await createTestKey('RS256', key.kid);
    expectRefused(await get(await rs256.sign(claims())));
    expectRefused(await get(hs256Token(JSON.stringify(key.publicJwk), { kid: key.kid })));
  });
});
