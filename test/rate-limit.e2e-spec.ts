import { Role } from '@ticketing/contracts';
import jwt from 'jsonwebtoken';
import { describeWithRedis } from './support/conditions';
import { auth } from './support/factories';
import {
  connectTestRedis,
  deleteKeysUnder,
  keysUnder,
  RedisRelay,
  type TestRedis,
  uniqueKeyPrefix,
} from './support/redis';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

const TICKETS = '/api/v1/tickets';

describe('rate limiting (spec §2), counted in memory', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('counts every API response down in RateLimit-* headers, then answers 429 with Retry-After', async () => {
    const user = t.user(Role.DEVOPS_ENGINEER);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .expect(200);
      expect(res.headers['ratelimit-limit']).toBe('5');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(res.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    const limited = await t
      .http()
      .get(TICKETS)
      .set(...auth(user))
      .expect(429);
    expect(limited.body).toEqual({
      detail: expect.any(String),
      error_code: 'RATE_LIMITED',
      request_id: limited.headers['x-request-id'],
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
  });

  it('gives each authenticated user a bucket of their own, apart from the address they call from', async () => {
    const alice = t.user(Role.DEVOPS_ENGINEER);
    const bob = t.user(Role.END_USER);
    for (let i = 0; i < 5; i++)
      await t
        .http()
        .get(TICKETS)
        .set(...auth(alice))
        .expect(200);
    await t
      .http()
      .get(TICKETS)
      .set(...auth(alice))
      .expect(429);

    const bobs = await t
      .http()
      .get(TICKETS)
      .set(...auth(bob))
      .expect(200);
    expect(bobs.headers['ratelimit-remaining']).toBe('4');
    // The same address without a token, or with one in alice's name that this service did not sign: the
    // address's bucket, not alice's (a forged subject buys no bucket).
    const anonymous = await t.http().get(TICKETS).expect(401);
    expect(anonymous.headers['ratelimit-remaining']).toBe('4');
    const forged = jwt.sign({ sub: alice.id, role: Role.ADMIN, type: 'access' }, 'x'.repeat(40), { expiresIn: 600 });
    const refused = await t.http().get(TICKETS).set('Authorization', `Bearer ${forged}`).expect(401);
    expect(refused.headers['ratelimit-remaining']).toBe('3');
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: all "forwarded" clients share the address', async () => {
    const first = await t.http().get(TICKETS).set('X-Forwarded-For', '203.0.113.1').expect(401);
    const second = await t.http().get(TICKETS).set('X-Forwarded-For', '203.0.113.2').expect(401);
    expect(Number(second.headers['ratelimit-remaining'])).toBe(Number(first.headers['ratelimit-remaining']) - 1);
  });

  it('leaves health, metrics and docs alone', async () => {
    for (const path of ['/health', '/metrics', '/openapi.json']) {
      const res = await t.http().get(path).expect(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('rate limiting behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('gives each client address the proxy forwards a bucket of its own', async () => {
    const from = (client: string) => t.http().get(TICKETS).set('X-Forwarded-For', client);
    expect((await from('203.0.113.10').expect(401)).headers['ratelimit-remaining']).toBe('1');
    expect((await from('203.0.113.10').expect(401)).headers['ratelimit-remaining']).toBe('0');
    await from('203.0.113.10').expect(429);
    expect((await from('203.0.113.11').expect(401)).headers['ratelimit-remaining']).toBe('1');
  });
});

describeWithRedis('rate limits counted in Redis (REDIS_URL)', () => {
  /** Redis as the service sees it: stopped and started by the test, without touching the shared server. */
  const relay = new RedisRelay();
  const prefix = uniqueKeyPrefix();
  let redis: TestRedis;
  let t: TestApp | null = null;

  const fallbacks = async (app: TestApp): Promise<number> => {
    const metrics = await app.http().get('/metrics').expect(200);
    return Number(/^rate_limit_local_fallbacks_total (\d+)/m.exec(metrics.text)?.[1]);
  };

  beforeAll(async () => {
    redis = await connectTestRedis();
    await relay.start();
    await relay.stop(); // Redis is down when the service starts
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: relay.url, REDIS_KEY_PREFIX: prefix });
  });

  afterAll(async () => {
    await t?.close();
    await relay.stop();
    await deleteKeysUnder(redis, prefix);
    await redis.close();
  });

  it("starts and serves while Redis is down, counting in this instance's memory", async () => {
    const app = t!;
    const res = await app
      .http()
      .get(TICKETS)
      .set(...auth(app.user(Role.DEVOPS_ENGINEER)))
      .expect(200);
    expect(res.headers['ratelimit-remaining']).toBe('2');
    expect(await fallbacks(app)).toBe(1);
    expect(await keysUnder(redis, prefix)).toEqual([]);
  });

  it('counts in Redis once it answers, and in memory again when it goes away', async () => {
    const app = t!;
    await relay.start();
    // The client reconnects with a backoff: wait until a request is counted in Redis.
    await waitFor(
      async () => {
        const probe = app.user(Role.DEVOPS_ENGINEER);
        await app
          .http()
          .get(TICKETS)
          .set(...auth(probe))
          .expect(200);
        return (await redis.get(`${prefix}rate-limit:user:${probe.id}`)) === '1';
      },
      'a request counted in Redis',
      20_000,
    );

    const user = app.user(Role.DEVOPS_ENGINEER);
    const key = `${prefix}rate-limit:user:${user.id}`;
    for (const remaining of ['2', '1', '0']) {
      const res = await app
        .http()
        .get(TICKETS)
        .set(...auth(user))
        .expect(200);
      expect(res.headers['ratelimit-remaining']).toBe(remaining);
    }
    expect(await redis.get(key)).toBe('3');
    const ttl = await redis.pTTL(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const limited = await app
      .http()
      .get(TICKETS)
      .set(...auth(user))
      .expect(429);
    expect(limited.body.error_code).toBe('RATE_LIMITED');

    await relay.stop();
    const before = await fallbacks(app);
    await app
      .http()
      .get(TICKETS)
      .set(...auth(app.user(Role.DEVOPS_ENGINEER)))
      .expect(200);
    expect(await fallbacks(app)).toBe(before + 1);
  });

  it('closes its Redis connection when the app shuts down', async () => {
    await relay.start();
    await waitFor(() => relay.connections === 1, 'the service to connect to Redis', 20_000);
    await t!.close();
    t = null;
    await waitFor(() => relay.connections === 0, 'the connection to close', 5000);
  });
});
