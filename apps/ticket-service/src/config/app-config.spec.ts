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
    expect(config.storage).toEqual({
      driver: 'local',
      path: '/tmp/ticket-attachments',
      maxFileSize: 52_428_800,
      s3: {
        bucket: null,
        endpoint: null,
        region: 'us-east-1',
        accessKeyId: null,
        secretAccessKey: null,
        forcePathStyle: false,
      },
      virusScanEnabled: false,
      clamavHost: '127.0.0.1',
      clamavPort: 3310,
      clamavTimeoutMs: 10_000,
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

describe('parseConfig storage', () => {
  it('reads the S3 settings', () => {
    const config = parseConfig({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'attachments',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      S3_REGION: 'eu-central-1',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      CLAMAV_TIMEOUT_MS: '2500',
    });
    expect(config.storage.driver).toBe('s3');
    expect(config.storage.s3).toEqual({
      bucket: 'attachments',
      endpoint: 'http://127.0.0.1:4569',
      region: 'eu-central-1',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    expect(config.storage.clamavTimeoutMs).toBe(2500);
  });

  it('needs a bucket for the S3 driver, both credentials or none, and a known driver', () => {
    expect(() => parseConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET is required when STORAGE_DRIVER=s3/);
    expect(() => parseConfig({ S3_ACCESS_KEY_ID: 'key' })).toThrow(/S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
    expect(() => parseConfig({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
    expect(() => parseConfig({ S3_ENDPOINT: 'not a url' })).toThrow(/S3_ENDPOINT/);
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
