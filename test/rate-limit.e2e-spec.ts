import { Role } from '@ticketing/contracts';
import { auth } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

describe('rate limiting (spec §2)', () => {
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
    for (let i = 0; i < 4; i++) {
      const res = await t
        .http()
        .get('/api/v1/tickets')
        .set(...auth(user))
        .expect(200);
      expect(res.headers['ratelimit-limit']).toBe('5');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(res.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['4', '3', '2', '1']);
    const unauthenticated = await t.http().get('/api/v1/tickets').expect(401);
    expect(unauthenticated.headers['ratelimit-remaining']).toBe('0');

    const limited = await t
      .http()
      .get('/api/v1/tickets')
      .set(...auth(user))
      .expect(429);
    expect(limited.body).toEqual({
      detail: expect.any(String),
      error_code: 'RATE_LIMITED',
      request_id: limited.headers['x-request-id'],
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('leaves health, metrics and docs alone', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });
});
