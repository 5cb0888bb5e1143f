import { ConfigValidationError, DEVELOPMENT_JWT_SECRET, parseConfig } from './app-config';

describe('parseConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = parseConfig({});
    expect(config.app).toMatchObject({ environment: 'development', port: 8002, host: '0.0.0.0', docsEnabled: true });
    expect(config.db.url).toBeNull();
    expect(config.db.pgliteDataDir).toMatch(/\.data\/pglite$/);
    expect(config.auth).toMatchObject({
      secret: DEVELOPMENT_JWT_SECRET,
      usingDevelopmentSecret: true,
      algorithm: 'HS256',
      clockSkewSeconds: 30,
    });
    expect(config.storage).toMatchObject({
      path: '/tmp/ticket-attachments',
      maxFileSize: 52_428_800,
      virusScanEnabled: false,
    });
    expect(config.tickets.reopenWindowDays).toBe(7);
    expect(config.sla).toEqual({ enabled: true, checkIntervalSeconds: 60 });
    expect(config.notifications.enabled).toBe(true);
  });

  it('reports every bad variable in one error', () => {
    let error: unknown;
    try {
      parseConfig({ SERVICE_PORT: 'eighty', SLA_ENABLED: 'maybe', DATABASE_URL: 'mysql://x', ENVIRONMENT: 'staging' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    for (const name of ['SERVICE_PORT', 'SLA_ENABLED', 'DATABASE_URL', 'ENVIRONMENT']) expect(message).toContain(name);
  });

  it('refuses production without a database URL or with a short secret', () => {
    expect(() => parseConfig({ ENVIRONMENT: 'production', JWT_SECRET_KEY: 'short' })).toThrow(
      /DATABASE_URL[\s\S]*JWT_SECRET_KEY|JWT_SECRET_KEY[\s\S]*DATABASE_URL/,
    );
    expect(() => parseConfig({ ENVIRONMENT: 'production', DATABASE_URL: 'postgres://db/x' })).toThrow(/JWT_SECRET_KEY/);
  });

  it('serves no docs in production unless asked', () => {
    const base = { ENVIRONMENT: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET_KEY: 'x'.repeat(32) };
    expect(parseConfig(base).app.docsEnabled).toBe(false);
    expect(parseConfig({ ...base, DOCS_ENABLED: 'true' }).app.docsEnabled).toBe(true);
  });
});

describe('parseConfig secrets', () => {
  it('keeps the public development secret to the embedded database', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db/x' })).toThrow(
      /JWT_SECRET_KEY is required with DATABASE_URL/,
    );
    expect(
      parseConfig({ DATABASE_URL: 'postgres://db/x', JWT_SECRET_KEY: 'a-local-secret' }).auth.usingDevelopmentSecret,
    ).toBe(false);
  });
});
