import { parseConfig } from './app-config';
import { startupNotices } from './startup-notices';

const PRODUCTION = {
  ENVIRONMENT: 'production',
  DATABASE_URL: 'postgres://tickets@db:5432/tickets',
  JWT_SECRET_KEY: 'a-production-secret-of-at-least-32-characters',
};

const messages = (env: Record<string, string>) => startupNotices(parseConfig(env)).map((notice) => notice.message);

describe('start-up notices', () => {
  it('warns when production has no WEBHOOK_ALLOWED_HOSTS (every webhook would be refused)', () => {
    const notices = startupNotices(parseConfig(PRODUCTION));
    expect(notices).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/^WEBHOOK_ALLOWED_HOSTS is empty/),
    });
    expect(messages({ ...PRODUCTION, WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com' })).not.toContainEqual(
      expect.stringMatching(/WEBHOOK_ALLOWED_HOSTS/),
    );
  });

  it('says when docs are off in production, and when issuer and audience go unchecked', () => {
    expect(messages(PRODUCTION)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^API docs are off in production/),
        expect.stringMatching(/^JWT_ISSUER or JWT_AUDIENCE is not set/),
      ]),
    );
    expect(
      messages({ ...PRODUCTION, DOCS_ENABLED: 'true', JWT_ISSUER: 'auth', JWT_AUDIENCE: 'tickets' }),
    ).not.toContainEqual(expect.stringMatching(/API docs|JWT_ISSUER/));
  });

  it('names the development secret, the embedded database and disabled notifications outside production', () => {
    expect(messages({ NOTIFICATIONS_ENABLED: 'false', PGLITE_DATA_DIR: 'memory://' })).toEqual([
      'JWT_SECRET_KEY is not set: using the built-in development secret (never accepted in production)',
      'DATABASE_URL is not set: using the embedded PostgreSQL in memory://',
      'NOTIFICATIONS_ENABLED=false: webhook deliveries are recorded but never sent',
    ]);
  });
});
