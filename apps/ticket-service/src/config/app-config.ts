import { isAbsolute, resolve } from 'node:path';

export type Environment = 'development' | 'test' | 'production';
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type StorageDriverKind = 'local' | 's3';

/** A development-only secret, so `npm start` works with nothing configured. Never accepted in production. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';

export interface AppConfig {
  app: {
    environment: Environment;
    debug: boolean;
    host: string;
    port: number;
    logLevel: string;
    docsEnabled: boolean;
    authServiceUrl: string;
    /** API requests per client address and minute; 0 turns limiting off. */
    rateLimitPerMinute: number;
  };
  db: {
    /** Null means the embedded PostgreSQL (PGlite) under `pgliteDataDir`. */
    url: string | null;
    poolSize: number;
    pgliteDataDir: string;
    runMigrations: boolean;
    searchStatementTimeoutMs: number;
  };
  auth: {
    secret: string;
    /** True when no secret was configured and the development secret is in use. */
    usingDevelopmentSecret: boolean;
    algorithm: JwtAlgorithm;
    issuer: string | null;
    audience: string | null;
    clockSkewSeconds: number;
  };
  storage: {
    /** Where attachment bytes live: the local disk under `path`, or an S3-compatible bucket. */
    driver: StorageDriverKind;
    /** The local store, and the staging area of uploads in progress with either driver. */
    path: string;
    maxFileSize: number;
    /** Used when `driver` is `s3`. */
    s3: {
      bucket: string | null;
      endpoint: string | null;
      region: string;
      accessKeyId: string | null;
      secretAccessKey: string | null;
      forcePathStyle: boolean;
    };
    virusScanEnabled: boolean;
    clamavHost: string;
    clamavPort: number;
    clamavTimeoutMs: number;
  };
  tickets: {
    reopenWindowDays: number;
  };
  sla: {
    enabled: boolean;
    checkIntervalSeconds: number;
  };
  notifications: {
    enabled: boolean;
    /** When non-empty, webhook URLs must point at one of these hosts. */
    webhookAllowedHosts: string[];
    webhookMaxAttempts: number;
    webhookTimeoutMs: number;
    webhookDispatchIntervalMs: number;
  };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads every variable once, collecting all problems before failing, so one boot attempt reports them all. */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | null {
    return this.raw(name) ?? null;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  url(name: string, fallback: string | null, protocols: readonly string[]): string | null {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    try {
      const parsed = new URL(value);
      if (protocols.includes(parsed.protocol)) return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
    return fallback;
  }
}

function absolutePath(path: string): string {
  return path.startsWith('memory://') || isAbsolute(path) ? path : resolve(process.cwd(), path);
}

/**
 * Parses and validates the whole environment into typed configuration.
 * Throws ConfigValidationError naming every bad variable at once.
 */
export function parseConfig(env: Env): AppConfig {
  const read = new EnvReader(env);
  const environment = read.oneOf<Environment>('ENVIRONMENT', ['development', 'test', 'production'], 'development');
  const production = environment === 'production';
  const debug = read.boolean('DEBUG', false);

  const databaseUrl = read.url('DATABASE_URL', null, ['postgres:', 'postgresql:']);
  if (production && databaseUrl === null && read.raw('DATABASE_URL') === undefined) {
    read.problems.push('DATABASE_URL is required when ENVIRONMENT=production');
  }

  const configuredSecret = read.raw('JWT_SECRET_KEY');
  if (configuredSecret !== undefined && configuredSecret.length < 32 && production) {
    read.problems.push('JWT_SECRET_KEY must be at least 32 characters when ENVIRONMENT=production');
  }
  if (configuredSecret === undefined && production) {
    read.problems.push('JWT_SECRET_KEY is required when ENVIRONMENT=production (at least 32 characters)');
  } else if (configuredSecret === undefined && databaseUrl !== null) {
    // The built-in secret is public; it is only for the self-contained embedded set-up.
    read.problems.push(
      'JWT_SECRET_KEY is required with DATABASE_URL (the development secret only serves the embedded database)',
    );
  }

  const storageDriver = read.oneOf<StorageDriverKind>('STORAGE_DRIVER', ['local', 's3'], 'local');
  const s3Bucket = read.optionalString('S3_BUCKET');
  if (storageDriver === 's3' && s3Bucket === null) read.problems.push('S3_BUCKET is required when STORAGE_DRIVER=s3');
  const s3AccessKeyId = read.optionalString('S3_ACCESS_KEY_ID');
  const s3SecretAccessKey = read.optionalString('S3_SECRET_ACCESS_KEY');
  if ((s3AccessKeyId === null) !== (s3SecretAccessKey === null)) {
    read.problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
  }

  const config: AppConfig = {
    app: {
      environment,
      debug,
      host: read.string('HOST', '0.0.0.0'),
      port: read.integer('SERVICE_PORT', 8002, 0, 65535),
      logLevel: read.oneOf(
        'LOG_LEVEL',
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        debug ? 'debug' : 'info',
      ),
      docsEnabled: read.boolean('DOCS_ENABLED', !production),
      authServiceUrl:
        read.url('AUTH_SERVICE_URL', 'http://localhost:8001', ['http:', 'https:']) ?? 'http://localhost:8001',
      rateLimitPerMinute: read.integer('RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
    },
    db: {
      url: databaseUrl,
      poolSize: read.integer('DB_POOL_SIZE', 10, 1, 1000),
      pgliteDataDir: absolutePath(read.string('PGLITE_DATA_DIR', './.data/pglite')),
      runMigrations: read.boolean('MIGRATIONS_RUN', true),
      searchStatementTimeoutMs: read.integer('SEARCH_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    },
    auth: {
      secret: configuredSecret ?? DEVELOPMENT_JWT_SECRET,
      usingDevelopmentSecret: configuredSecret === undefined,
      algorithm: read.oneOf<JwtAlgorithm>('JWT_ALGORITHM', ['HS256', 'HS384', 'HS512'], 'HS256'),
      issuer: read.optionalString('JWT_ISSUER'),
      audience: read.optionalString('JWT_AUDIENCE'),
      clockSkewSeconds: read.integer('JWT_CLOCK_SKEW_SECONDS', 30, 0, 600),
    },
    storage: {
      driver: storageDriver,
      path: absolutePath(read.string('UPLOAD_STORAGE_PATH', '/tmp/ticket-attachments')),
      maxFileSize: read.integer('UPLOAD_MAX_FILE_SIZE', 52_428_800, 1),
      s3: {
        bucket: s3Bucket,
        endpoint: read.url('S3_ENDPOINT', null, ['http:', 'https:']),
        region: read.string('S3_REGION', 'us-east-1'),
        accessKeyId: s3AccessKeyId,
        secretAccessKey: s3SecretAccessKey,
        forcePathStyle: read.boolean('S3_FORCE_PATH_STYLE', false),
      },
      virusScanEnabled: read.boolean('VIRUS_SCAN_ENABLED', false),
      clamavHost: read.string('CLAMAV_HOST', '127.0.0.1'),
      clamavPort: read.integer('CLAMAV_PORT', 3310, 1, 65535),
      clamavTimeoutMs: read.integer('CLAMAV_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    tickets: {
      reopenWindowDays: read.integer('TICKET_REOPEN_WINDOW_DAYS', 7, 0, 3650),
    },
    sla: {
      enabled: read.boolean('SLA_ENABLED', true),
      checkIntervalSeconds: read.integer('SLA_CHECK_INTERVAL_SECONDS', 60, 1, 86_400),
    },
    notifications: {
      enabled: read.boolean('NOTIFICATIONS_ENABLED', true),
      webhookAllowedHosts: (read.optionalString('WEBHOOK_ALLOWED_HOSTS') ?? '')
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
      webhookMaxAttempts: read.integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
      webhookTimeoutMs: read.integer('WEBHOOK_TIMEOUT_MS', 5000, 100, 60_000),
      webhookDispatchIntervalMs: read.integer('WEBHOOK_DISPATCH_INTERVAL_MS', 1000, 50, 3_600_000),
    },
  };

  if (read.problems.length > 0) throw new ConfigValidationError(read.problems);
  return config;
}
