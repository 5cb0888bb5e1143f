import { Role } from '@ticketing/contracts';
import { startTestApp, type TestApp } from './support/test-app';

describe('platform', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers /health as spec §9', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'healthy', service: 'ticket-service', version: '1.0.0', environment: 'test' });
  });

  it('reports readiness when the database answers', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'up' } });
  });

  it('echoes the caller request id and makes one otherwise', async () => {
    const echoed = await t.http().get('/health').set('X-Request-ID', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const made = await t.http().get('/health').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with NOT_FOUND for an authenticated caller', async () => {
    const user = t.user(Role.ADMIN);
    const res = await t.http().get('/api/v1/nowhere').set('Authorization', `Bearer ${user.token}`).expect(404);
    expect(res.body).toEqual({
      detail: 'Resource not found',
      error_code: 'NOT_FOUND',
      request_id: res.headers['x-request-id'],
    });
  });
});
