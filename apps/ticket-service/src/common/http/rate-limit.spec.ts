import { createServer } from 'node:net';
import { Role } from '@ticketing/contracts';
import express from 'express';
import { MemoryStore, type Store } from 'express-rate-limit';
import jwt from 'jsonwebtoken';
import { Registry } from 'prom-client';
import request from 'supertest';
import { type TrustProxy } from '../../config/app-config';
import {
  type AccessTokenVerifier,
  type HmacAuthSettings,
  hmacAccessTokenVerifier,
  mintAccessToken,
} from '../auth/access-token';
import { rateLimiter } from './rate-limit';
import { SharedRateLimitStore } from './rate-limit-store';
import { requestIdMiddleware } from './request-id.middleware';

const AUTH: HmacAuthSettings = {
  secret: 'rate-limit-spec-secret-with-32-characters',
  usingDevelopmentSecret: false,
  algorithm: 'HS256',
  issuer: null,
  audience: null,
  clockSkewSeconds: 30,
  jwks: null,
};

/** Records what the limiter logs. */
class RecordingLogger {
  readonly lines: { level: string; message: string }[] = [];
  warn = (_context: unknown, message?: unknown) => this.lines.push({ level: 'warn', message: String(message) });
  error = (_context: unknown, message?: unknown) => this.lines.push({ level: 'error', message: String(message) });
  log = (message: unknown) => this.lines.push({ level: 'info', message: String(message) });
}

/** A real Express app with the limiter in front of one route, as app.setup.ts mounts it. */
function appWith(
  perMinute: number,
  store: Store,
  trustProxy: TrustProxy = false,
  logger = new RecordingLogger(),
  verifyToken: AccessTokenVerifier = hmacAccessTokenVerifier(AUTH),
) {
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(requestIdMiddleware);
  app.use(rateLimiter({ perMinute, verifyToken, store, logger }));
  app.get('/tickets', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];
const userToken = (sub: string, ttlSeconds = 3600) =>
  mintAccessToken(AUTH, { role: Role.DEVOPS_ENGINEER, sub, ttlSeconds });
/** A token this service did not sign: any claims an attacker likes. */
const forgedToken = (sub: string) =>
  jwt.sign({ sub, role: Role.ADMIN, type: 'access' }, 'not-the-service-secret-0123456789abcdef', { expiresIn: 3600 });

describe('rateLimiter', () => {
  it('counts down in RateLimit-* headers, then answers the spec error body with Retry-After', async () => {
    const app = appWith(2, new MemoryStore());
    const first = await request(app).get('/tickets').expect(200);
    expect(first.headers).toMatchObject({
      'ratelimit-limit': '2',
      'ratelimit-remaining': '1',
      'ratelimit-policy': '2;w=60',
    });
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect((await request(app).get('/tickets').expect(200)).headers['ratelimit-remaining']).toBe('0');

    const refused = await request(app).get('/tickets').set('X-Request-ID', 'spec-request').expect(429);
    expect(refused.body).toEqual({
      detail: expect.stringMatching(/^Too many requests; try again in \d+ s$/),
      error_code: 'RATE_LIMITED',
      request_id: 'spec-request',
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('gives each verified user a bucket of their own, apart from their address', async () => {
    const app = appWith(2, new MemoryStore());
    const alice = userToken(crypto.randomUUID());
    const bob = userToken(crypto.randomUUID());
    await request(app)
      .get('/tickets')
      .set(...bearer(alice))
      .expect(200);
    await request(app)
      .get('/tickets')
      .set(...bearer(alice))
      .expect(200);
    await request(app)
      .get('/tickets')
      .set(...bearer(alice))
      .expect(429);

    const bobFirst = await request(app)
      .get('/tickets')
      .set(...bearer(bob))
      .expect(200);
    expect(bobFirst.headers['ratelimit-remaining']).toBe('1');
    const anonymous = await request(app).get('/tickets').expect(200);
    expect(anonymous.headers['ratelimit-remaining']).toBe('1');
  });

  it('counts tokens that do not verify against the address: forged subjects buy no fresh buckets', async () => {
    const app = appWith(2, new MemoryStore());
    const victim = crypto.randomUUID();
    // The victim's bucket stays untouched by forgeries in their name...
    for (const token of [forgedToken(victim), forgedToken(crypto.randomUUID())]) {
      await request(app)
        .get('/tickets')
        .set(...bearer(token))
        .expect(200);
    }
    // ...and every forged or expired token shares the address's bucket, now used up.
    await request(app)
      .get('/tickets')
      .set(...bearer(forgedToken(crypto.randomUUID())))
      .expect(429);
    await request(app)
      .get('/tickets')
      .set(...bearer(userToken(crypto.randomUUID(), -120)))
      .expect(429);
    await request(app).get('/tickets').set('Authorization', 'Bearer not-a-jwt').expect(429);
    const genuine = await request(app)
      .get('/tickets')
      .set(...bearer(userToken(victim)))
      .expect(200);
    expect(genuine.headers['ratelimit-remaining']).toBe('1');
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const direct = appWith(1, new MemoryStore());
    await request(direct).get('/tickets').set('X-Forwarded-For', '203.0.113.1').expect(200);
    await request(direct).get('/tickets').set('X-Forwarded-For', '203.0.113.2').expect(429);

    const behindProxy = appWith(1, new MemoryStore(), ['loopback']);
    await request(behindProxy).get('/tickets').set('X-Forwarded-For', '203.0.113.1').expect(200);
    await request(behindProxy).get('/tickets').set('X-Forwarded-For', '203.0.113.2').expect(200);
    await request(behindProxy).get('/tickets').set('X-Forwarded-For', '203.0.113.1').expect(429);
    // A client cannot pick its address: only the hop the trusted proxy appended counts.
    await request(behindProxy).get('/tickets').set('X-Forwarded-For', '198.51.100.7, 203.0.113.2').expect(429);
  });

  it('counts IPv6 clients by their /56', async () => {
    const app = appWith(1, new MemoryStore(), ['loopback']);
    await request(app).get('/tickets').set('X-Forwarded-For', '2001:db8:0:100::1').expect(200);
    await request(app).get('/tickets').set('X-Forwarded-For', '2001:db8:0:1ff::2').expect(429);
    await request(app).get('/tickets').set('X-Forwarded-For', '2001:db8:0:200::1').expect(200);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('rateLimiter with an asynchronous verifier (JWKS)', () => {
  it('keys a request by the user its verifier resolves, and by address when it refuses the token', async () => {
    const hmac = hmacAccessTokenVerifier(AUTH);
    const verifyLater: AccessTokenVerifier = async (token) => {
      await new Promise((resolve) => setImmediate(resolve));
      return hmac(token);
    };
    const app = appWith(1, new MemoryStore(), false, new RecordingLogger(), verifyLater);
    const alice = userToken(crypto.randomUUID());
    await request(app)
      .get('/tickets')
      .set(...bearer(alice))
      .expect(200);
    await request(app)
      .get('/tickets')
      .set(...bearer(alice))
      .expect(429);
    // A refused token counts against the address, which has its own bucket.
    await request(app)
      .get('/tickets')
      .set(...bearer(forgedToken(crypto.randomUUID())))
      .expect(200);
    await request(app).get('/tickets').expect(429);
  });
});

describe('SharedRateLimitStore when Redis does not answer', () => {
  it('counts in memory without delay, warns once and counts the fallbacks', async () => {
    const logger = new RecordingLogger();
    const registry = new Registry();
    const store = new SharedRateLimitStore({
      url: `redis://127.0.0.1:${await closedPort()}`,
      keyPrefix: 'rate-limit-spec:',
      logger,
      registry,
    });
    const app = appWith(2, store, false, logger);
    try {
      const started = Date.now();
      const first = await request(app).get('/tickets').expect(200);
      expect(first.headers['ratelimit-remaining']).toBe('1');
      await request(app).get('/tickets').expect(200);
      await request(app).get('/tickets').expect(429);
      // No request waits for the connection timeout: commands fail at once while Redis is away.
      expect(Date.now() - started).toBeLessThan(1500);

      const fallbacks = await registry.getSingleMetric('rate_limit_local_fallbacks_total')?.get();
      expect(fallbacks?.values[0].value).toBe(3);
      expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([
        {
          level: 'warn',
          message: "Redis does not answer: rate limits are counted in this instance's memory until it does",
        },
      ]);
    } finally {
      await store.shutdown();
    }
  });
});
