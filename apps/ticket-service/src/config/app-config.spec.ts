import { resolve } from 'node:path';

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
      path: resolve(process.cwd(), '.data/attachments'),
      maxFileSize: 52_428_800,
      s3: {
        bucket: null,
        endpoint: null,
        region: 'us-east-1',
        accessKeyId: null,
        secretAccessKey: null,
        forcePathStyle: false,
      },
      azure: { connectionString: null, account: null, accountKey: null, container: null },
      downloadMode: 'proxy',
      downloadUrlTtlSeconds: 300,
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

  it('reads the Azure settings: a connection string, or an account with its key', () => {
    const withConnectionString = parseConfig({
      STORAGE_DRIVER: 'azure',
      AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      AZURE_STORAGE_CONTAINER: 'attachments',
    }).storage;
    expect(withConnectionString.driver).toBe('azure');
    expect(withConnectionString.azure).toEqual({
      connectionString: 'UseDevelopmentStorage=true',
      account: null,
      accountKey: null,
      container: 'attachments',
    });
    const withKey = parseConfig({
      STORAGE_DRIVER: 'azure',
      AZURE_STORAGE_ACCOUNT: 'ticketfiles',
      AZURE_STORAGE_KEY: 'a2V5',
      AZURE_STORAGE_CONTAINER: 'attachments',
    }).storage.azure;
    expect(withKey).toEqual({
      connectionString: null,
      account: 'ticketfiles',
      accountKey: 'a2V5',
      container: 'attachments',
    });
  });

  it('needs a container and exactly one way of signing in for the Azure driver', () => {
    const problems = (env: Record<string, string>) => problemsOf({ STORAGE_DRIVER: 'azure', ...env });
    expect(problems({})).toEqual([
      'AZURE_STORAGE_CONNECTION_STRING or both AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY are required when STORAGE_DRIVER=azure',
      'AZURE_STORAGE_CONTAINER is required when STORAGE_DRIVER=azure',
    ]);
    expect(problems({ AZURE_STORAGE_ACCOUNT: 'ticketfiles', AZURE_STORAGE_CONTAINER: 'c' })).toEqual([
      'AZURE_STORAGE_CONNECTION_STRING or both AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY are required when STORAGE_DRIVER=azure',
    ]);
    expect(
      problems({ AZURE_STORAGE_CONNECTION_STRING: 'x', AZURE_STORAGE_KEY: 'k', AZURE_STORAGE_CONTAINER: 'c' }),
    ).toEqual([
      'AZURE_STORAGE_CONNECTION_STRING and AZURE_STORAGE_ACCOUNT/AZURE_STORAGE_KEY are alternatives; set one of them',
    ]);
  });

  it('takes redirect downloads only with a store that signs URLs, valid for at most 5 minutes', () => {
    const s3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'attachments' };
    expect(parseConfig({ ...s3, ATTACHMENT_DOWNLOAD_MODE: 'redirect' }).storage).toMatchObject({
      downloadMode: 'redirect',
      downloadUrlTtlSeconds: 300,
    });
    expect(() => parseConfig({ ATTACHMENT_DOWNLOAD_MODE: 'redirect' })).toThrow(
      'ATTACHMENT_DOWNLOAD_MODE redirect needs STORAGE_DRIVER=s3 or azure (the local disk cannot sign download URLs)',
    );
    expect(() => parseConfig({ STORAGE_DRIVER: 'local', ATTACHMENT_DOWNLOAD_MODE: 'redirect' })).toThrow(
      /ATTACHMENT_DOWNLOAD_MODE redirect needs STORAGE_DRIVER=s3 or azure/,
    );
    expect(() => parseConfig({ ...s3, ATTACHMENT_DOWNLOAD_MODE: 'direct' })).toThrow(
      'ATTACHMENT_DOWNLOAD_MODE must be one of proxy, redirect (got "direct")',
    );
    expect(() => parseConfig({ ...s3, ATTACHMENT_DOWNLOAD_URL_TTL_SECONDS: '301' })).toThrow(
      'ATTACHMENT_DOWNLOAD_URL_TTL_SECONDS must be an integer between 1 and 300 (got "301")',
    );
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

describe('parseConfig JWKS (asymmetric tokens)', () => {
  it('verifies HS256 with the secret and no JWKS by default', () => {
    expect(parseConfig({}).auth).toMatchObject({ algorithm: 'HS256', jwks: null });
  });

  it.each(['RS256', 'ES256', 'EdDSA'])(
    'takes %s keys from AUTH_SERVICE_URL/.well-known/jwks.json by default',
    (alg) => {
      expect(parseConfig({ JWT_ALGORITHM: alg, AUTH_SERVICE_URL: 'https://auth.example/base/' }).auth).toMatchObject({
        algorithm: alg,
        jwks: {
          url: 'https://auth.example/base/.well-known/jwks.json',
          maxAgeMs: 600_000,
          cooldownMs: 30_000,
          timeoutMs: 5000,
        },
      });
    },
  );

  it('takes JWT_JWKS_URL and the JWKS timings as given', () => {
    const { jwks } = parseConfig({
      JWT_ALGORITHM: 'ES256',
      JWT_JWKS_URL: 'https://idp.example/keys',
      JWT_JWKS_CACHE_SECONDS: '60',
      JWT_JWKS_REFRESH_COOLDOWN_SECONDS: '5',
      JWT_JWKS_TIMEOUT_MS: '1500',
    }).auth;
    expect(jwks).toEqual({ url: 'https://idp.example/keys', maxAgeMs: 60_000, cooldownMs: 5000, timeoutMs: 1500 });
  });

  it('needs no JWT_SECRET_KEY with a JWKS, in production or with DATABASE_URL', () => {
    const env = { ENVIRONMENT: 'production', DATABASE_URL: 'postgres://db/x', JWT_ALGORITHM: 'RS256' };
    expect(parseConfig(env).auth.jwks?.url).toBe('http://localhost:8001/.well-known/jwks.json');
  });

  it('refuses a secret beside a JWKS, and JWKS settings beside a secret, at start-up', () => {
    expect(problemsOf({ JWT_ALGORITHM: 'RS256', JWT_SECRET_KEY: 'x'.repeat(32) })).toEqual([
      'JWT_SECRET_KEY must not be set with JWT_ALGORITHM=RS256 (tokens are verified against the JWKS)',
    ]);
    expect(problemsOf({ JWT_JWKS_URL: 'https://idp.example/keys', JWT_JWKS_TIMEOUT_MS: '1000' })).toEqual([
      'JWT_JWKS_URL is only used with JWT_ALGORITHM RS256, ES256, EdDSA (the HMAC algorithms use JWT_SECRET_KEY)',
      'JWT_JWKS_TIMEOUT_MS is only used with JWT_ALGORITHM RS256, ES256, EdDSA (the HMAC algorithms use JWT_SECRET_KEY)',
    ]);
    expect(problemsOf({ JWT_ALGORITHM: 'EdDSA', JWT_JWKS_URL: 'ftp://idp', JWT_JWKS_CACHE_SECONDS: '0' })).toEqual([
      'JWT_JWKS_URL must be a http: or https: URL',
      'JWT_JWKS_CACHE_SECONDS must be an integer between 1 and 86400 (got "0")',
    ]);
  });
});

/** The problems parseConfig reports for `env`; fails the test when it accepts it. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('parseConfig problems', () => {
  it('reports variable and cross-field problems together, in table order', () => {
    expect(
      problemsOf({
        SLA_ENABLED: 'Maybe',
        SERVICE_PORT: '070000',
        ENVIRONMENT: 'production',
        S3_SECRET_ACCESS_KEY: 's',
      }),
    ).toEqual([
      'DATABASE_URL is required when ENVIRONMENT=production',
      'JWT_SECRET_KEY is required when ENVIRONMENT=production (at least 32 characters)',
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
      'SERVICE_PORT must be an integer between 0 and 65535 (got "070000")',
      'SLA_ENABLED must be true or false (got "maybe")',
    ]);
    expect(
      problemsOf({ ENVIRONMENT: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET_KEY: 'x'.repeat(31) }),
    ).toEqual(['JWT_SECRET_KEY must be at least 32 characters when ENVIRONMENT=production']);
  });

  it('reports a malformed value once, without the rules that depend on it', () => {
    // An unknown ENVIRONMENT or STORAGE_DRIVER is not production or s3; a malformed DATABASE_URL is not "missing".
    expect(problemsOf({ ENVIRONMENT: 'Production' })).toEqual([
      'ENVIRONMENT must be one of development, test, production (got "Production")',
    ]);
    expect(problemsOf({ STORAGE_DRIVER: 'S3' })).toEqual(['STORAGE_DRIVER must be one of local, s3, azure (got "S3")']);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual(['DATABASE_URL must be a postgres: or postgresql: URL']);
    expect(
      problemsOf({ ENVIRONMENT: 'production', DATABASE_URL: 'mysql://x', JWT_SECRET_KEY: 'x'.repeat(32) }),
    ).toEqual(['DATABASE_URL must be a postgres: or postgresql: URL']);
  });

  it('trims values and treats empty ones as unset', () => {
    const config = parseConfig({
      SERVICE_PORT: ' 9000 ',
      HOST: '  ',
      DEBUG: ' ',
      JWT_SECRET_KEY: ' ',
      LOG_LEVEL: ' warn\n',
    });
    expect(config.app).toMatchObject({ port: 9000, host: '0.0.0.0', debug: false, logLevel: 'warn' });
    expect(config.auth.usingDevelopmentSecret).toBe(true);
    expect(problemsOf({ ENVIRONMENT: 'production', DATABASE_URL: '  ', JWT_SECRET_KEY: 'x'.repeat(32) })).toEqual([
      'DATABASE_URL is required when ENVIRONMENT=production',
    ]);
  });
});

describe('parseConfig values', () => {
  it('takes integers within their bounds only, written in plain decimal', () => {
    expect(parseConfig({ SERVICE_PORT: '0' }).app.port).toBe(0);
    expect(parseConfig({ SERVICE_PORT: '65535' }).app.port).toBe(65_535);
    expect(parseConfig({ DB_POOL_SIZE: '1', WEBHOOK_MAX_ATTEMPTS: '50' })).toMatchObject({
      db: { poolSize: 1 },
      notifications: { webhookMaxAttempts: 50 },
    });
    expect(parseConfig({ UPLOAD_MAX_FILE_SIZE: '9007199254740991' }).storage.maxFileSize).toBe(Number.MAX_SAFE_INTEGER);
    expect(problemsOf({ SERVICE_PORT: '-1' })).toEqual([
      'SERVICE_PORT must be an integer between 0 and 65535 (got "-1")',
    ]);
    expect(problemsOf({ DB_POOL_SIZE: '0' })).toEqual(['DB_POOL_SIZE must be an integer between 1 and 1000 (got "0")']);
    expect(problemsOf({ UPLOAD_MAX_FILE_SIZE: '9007199254740992' })).toEqual([
      'UPLOAD_MAX_FILE_SIZE must be an integer between 1 and 9007199254740991 (got "9007199254740992")',
    ]);
    for (const written of ['1e3', '0x10', '8.0', '+5', '80 80']) {
      expect(problemsOf({ CLAMAV_PORT: written })).toEqual([
        `CLAMAV_PORT must be an integer between 1 and 65535 (got "${written}")`,
      ]);
    }
  });

  it('reads the boolean spellings in any case, and no others', () => {
    for (const spelling of ['true', '1', 'yes', 'on', 'TRUE', 'Yes', 'ON']) {
      expect(parseConfig({ VIRUS_SCAN_ENABLED: spelling }).storage.virusScanEnabled).toBe(true);
    }
    for (const spelling of ['false', '0', 'no', 'off', 'FALSE', 'No', 'Off']) {
      expect(parseConfig({ NOTIFICATIONS_ENABLED: spelling }).notifications.enabled).toBe(false);
    }
    for (const spelling of ['y', 'n', 'enabled', 'disabled', '2']) {
      expect(problemsOf({ MIGRATIONS_RUN: spelling })).toEqual([
        `MIGRATIONS_RUN must be true or false (got "${spelling}")`,
      ]);
    }
  });

  it('checks URLs by protocol and keeps them as written', () => {
    expect(parseConfig({ S3_ENDPOINT: 'https://s3.example/' }).storage.s3.endpoint).toBe('https://s3.example/');
    expect(parseConfig({ S3_ENDPOINT: 'http:minio:9000' }).storage.s3.endpoint).toBe('http:minio:9000');
    expect(parseConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/x', JWT_SECRET_KEY: 's' }).db.url).toBe(
      'postgresql://u:p@db:5432/x',
    );
    expect(problemsOf({ S3_ENDPOINT: 'localhost:4566' })).toEqual(['S3_ENDPOINT must be a http: or https: URL']);
  });

  it('matches the fixed choices exactly', () => {
    expect(parseConfig({ JWT_ALGORITHM: 'HS512' }).auth.algorithm).toBe('HS512');
    expect(problemsOf({ JWT_ALGORITHM: 'hs512' })).toEqual([
      'JWT_ALGORITHM must be one of HS256, HS384, HS512, RS256, ES256, EdDSA (got "hs512")',
    ]);
    expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ]);
  });

  it('derives the log level from DEBUG unless one is given', () => {
    expect(parseConfig({}).app.logLevel).toBe('info');
    expect(parseConfig({ DEBUG: 'on' }).app).toMatchObject({ debug: true, logLevel: 'debug' });
    expect(parseConfig({ DEBUG: 'on', LOG_LEVEL: 'trace' }).app.logLevel).toBe('trace');
  });

  it('resolves relative paths against the working directory, except memory://', () => {
    expect(parseConfig({ PGLITE_DATA_DIR: 'data/pg', UPLOAD_STORAGE_PATH: '/srv/uploads' })).toMatchObject({
      db: { pgliteDataDir: resolve(process.cwd(), 'data/pg') },
      storage: { path: '/srv/uploads' },
    });
    expect(parseConfig({ PGLITE_DATA_DIR: 'memory://' }).db.pgliteDataDir).toBe('memory://');
    expect(parseConfig({}).db.pgliteDataDir).toBe(resolve(process.cwd(), '.data/pglite'));
    expect(parseConfig({ UPLOAD_STORAGE_PATH: 'files' }).storage.path).toBe(resolve(process.cwd(), 'files'));
    // Attachments default to the embedded database's side, never to a temp folder other installations share.
    expect(parseConfig({}).storage.path).toBe(resolve(process.cwd(), '.data/attachments'));
  });

  it('reads the webhook host list lower-cased, without blanks', () => {
    expect(parseConfig({}).notifications.webhookAllowedHosts).toEqual([]);
    expect(
      parseConfig({ WEBHOOK_ALLOWED_HOSTS: ' Hooks.Example.com, ,b.test,' }).notifications.webhookAllowedHosts,
    ).toEqual(['hooks.example.com', 'b.test']);
  });

  it('reads the alert intake settings, with their defaults', () => {
    expect(parseConfig({}).alerts).toEqual({ reopenWindowMinutes: 60, autoResolve: false, tagLabels: ['alertname'] });
    expect(
      parseConfig({ ALERT_REOPEN_WINDOW_MINUTES: '0', ALERT_AUTO_RESOLVE: 'true', ALERT_TAG_LABELS: 'team, cluster,' })
        .alerts,
    ).toEqual({ reopenWindowMinutes: 0, autoResolve: true, tagLabels: ['team', 'cluster'] });
    expect(() => parseConfig({ ALERT_TAG_LABELS: 'team,bad-name', ALERT_REOPEN_WINDOW_MINUTES: '-1' })).toThrow(
      /ALERT_REOPEN_WINDOW_MINUTES must be an integer between 0 and 43200[\s\S]*ALERT_TAG_LABELS must be a comma-separated list of label names/,
    );
  });
});

describe('parseConfig rate limits', () => {
  it('trusts no proxy and counts in memory by default', () => {
    const config = parseConfig({});
    expect(config.app.trustProxy).toBe(false);
    expect(config.redis).toEqual({ url: null, keyPrefix: 'ticket-service:' });
  });

  it('reads TRUST_PROXY as a boolean, a number of hops or a list of addresses, ranges and names', () => {
    const trustProxy = (value: string) => parseConfig({ TRUST_PROXY: value }).app.trustProxy;
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('TRUE')).toBe(true);
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('100')).toBe(100);
    expect(trustProxy('loopback')).toEqual(['loopback']);
    expect(trustProxy(' 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1, uniquelocal ')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      '::1',
      'uniquelocal',
    ]);
  });

  it('refuses a TRUST_PROXY that is none of those', () => {
    const message = (got: string) =>
      `TRUST_PROXY must be true, false, a number of hops (1–100) or a comma-separated list of IP addresses, ` +
      `CIDR ranges and loopback, linklocal, uniquelocal (got "${got}")`;
    for (const value of [
      '0',
      '101',
      'yes',
      'proxy.example.com',
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.1/8/8',
      ',',
      'Loopback',
      '1.5',
    ]) {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([message(value)]);
    }
  });

  it('reads SHUTDOWN_GRACE_PERIOD_MS, 15 s by default', () => {
    expect(parseConfig({}).app.shutdownGracePeriodMs).toBe(15_000);
    expect(parseConfig({ SHUTDOWN_GRACE_PERIOD_MS: '2500' }).app.shutdownGracePeriodMs).toBe(2_500);
    expect(problemsOf({ SHUTDOWN_GRACE_PERIOD_MS: '15s' })).toEqual([
      'SHUTDOWN_GRACE_PERIOD_MS must be an integer between 0 and 600000 (got "15s")',
    ]);
  });

  it('reads REDIS_URL (redis: or rediss:) and REDIS_KEY_PREFIX', () => {
    expect(
      parseConfig({ REDIS_URL: 'rediss://user:secret@cache.internal:6380/2', REDIS_KEY_PREFIX: 'tickets-eu:' }).redis,
    ).toEqual({ url: 'rediss://user:secret@cache.internal:6380/2', keyPrefix: 'tickets-eu:' });
    expect(problemsOf({ REDIS_URL: 'http://cache.internal:6379' })).toEqual([
      'REDIS_URL must be a redis: or rediss: URL',
    ]);
    expect(problemsOf({ REDIS_URL: 'cache.internal:6379' })).toEqual(['REDIS_URL must be a redis: or rediss: URL']);
  });
});
