import { startTestApp, type TestApp } from './support/test-app';

/** The smoke suite CI runs on the embedded PGlite after the full run on PostgreSQL. */
describe('smoke', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('serves health and readiness on its database', async () => {
    await t.http().get('/health').expect(200);
    await t.http().get('/health/ready').expect(200);
  });
});
