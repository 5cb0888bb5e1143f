import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export type Environment = 'development' | 'test' | 'production';
/** HMAC algorithms verify with the shared JWT_SECRET_KEY. */
export type HmacJwtAlgorithm = 'HS256' | 'HS384' | 'HS512';
/** Asymmetric algorithms verify with the auth service's public keys, published as a JWKS. */
export type AsymmetricJwtAlgorithm = 'RS256' | 'ES256' | 'EdDSA';
export type JwtAlgorithm = HmacJwtAlgorithm | AsymmetricJwtAlgorithm;
export type StorageDriverKind = 'local' | 's3' | 'azure';
/** How a download is answered: the service streams the bytes, or redirects to a short-lived signed URL of the store. */
export type AttachmentDownloadMode = 'proxy' | 'redirect';
/**
 * Express's `trust proxy` setting: which hops in front of the service may say who the client is
 * (`X-Forwarded-For`). False: none (the peer address is the client); a number: that many hops; a list: addresses,
 * CIDR ranges or the names `loopback`, `linklocal`, `uniquelocal`; true: every hop (the client could claim any
 * address).
 */
export type TrustProxy = boolean | number | string[];

/** A development-only secret, so `npm start` works with nothing configured. Never accepted in production. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';

export interface AppConfig {
  app: {
    environment: Environment;
    debug: boolean;
    host: string;
    port: number;
    /** After SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are cut. */
    shutdownGracePeriodMs: number;
    logLevel: string;
    docsEnabled: boolean;
    /** API requests per user (authenticated calls) or client address (others) and minute; 0 turns limiting off. */
    rateLimitPerMinute: number;
    trustProxy: TrustProxy;
  };
  redis: {
    /** Where the rate limits of every instance are counted; null: in each instance's memory. */
    url: string | null;
    /** Put before every key this installation writes, so several installations can share one Redis. */
    keyPrefix: string;
  };
  db: {
    /** Null means the embedded PostgreSQL (PGlite) under `pgliteDataDir`. */
    url: string | null;
    poolSize: number;
    /** Connections of their own for list and search statements, on top of `poolSize` (PostgreSQL only). */
    searchPoolSize: number;
    pgliteDataDir: string;
    runMigrations: boolean;
    searchStatementTimeoutMs: number;
  };
  auth: AuthSettings;
  storage: {
    /** Where attachment bytes live: the local disk under `path`, an S3-compatible bucket or an Azure Blob container. */
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
    /** Used when `driver` is `azure`: a connection string, or an account and its key. */
    azure: {
      connectionString: string | null;
      account: string | null;
      accountKey: string | null;
      container: string | null;
    };
    /** `redirect` needs a store that signs URLs (S3 or Azure). */
    downloadMode: AttachmentDownloadMode;
    /** How long a redirect's signed URL stays valid. */
    downloadUrlTtlSeconds: number;
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
  alerts: {
    /** A firing this many minutes or less after its ticket was resolved/closed reopens it; later ones open a new one. */
    reopenWindowMinutes: number;
    /** A resolved alert also resolves its ticket when no one else has changed the ticket's status. */
    autoResolve: boolean;
    /** Labels whose values become the ticket's tags, in this order. */
    tagLabels: string[];
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

interface CommonAuthSettings {
  /** The HMAC key; unused with an asymmetric algorithm (JWT_SECRET_KEY may not even be set then). */
  secret: string;
  /** True when no secret was configured and the development secret is in use. */
  usingDevelopmentSecret: boolean;
  issuer: string | null;
  audience: string | null;
  clockSkewSeconds: number;
}

/** How tokens are verified: `jwks` null means with the shared secret, otherwise with the auth service's keys. */
export type AuthSettings =
  | (CommonAuthSettings & { algorithm: HmacJwtAlgorithm; jwks: null })
  | (CommonAuthSettings & { algorithm: AsymmetricJwtAlgorithm; jwks: JwksSettings });

export interface JwksSettings {
  url: string;
  /** How long a fetched key set is used before it is fetched again (kept, with a warning, while that fails). */
  maxAgeMs: number;
  /** The least time between two fetches: a token with an unknown `kid` or a failed fetch cannot force more. */
  cooldownMs: number;
  /** A fetch that takes longer has failed. */
  timeoutMs: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** 50 MiB; also the size bound the OpenAPI document states for file bodies. */
export const DEFAULT_UPLOAD_MAX_FILE_SIZE = 52_428_800;

const ENVIRONMENTS = ['development', 'test', 'production'] as const satisfies readonly Environment[];
const HMAC_JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const satisfies readonly HmacJwtAlgorithm[];
const ASYMMETRIC_JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const satisfies readonly AsymmetricJwtAlgorithm[];
const JWT_ALGORITHMS = [...HMAC_JWT_ALGORITHMS, ...ASYMMETRIC_JWT_ALGORITHMS] as const;
const STORAGE_DRIVERS = ['local', 's3', 'azure'] as const satisfies readonly StorageDriverKind[];
const DOWNLOAD_MODES = ['proxy', 'redirect'] as const satisfies readonly AttachmentDownloadMode[];
/** A signed download URL outlives its redirect by at most this much. */
const MAX_DOWNLOAD_URL_TTL_SECONDS = 300;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Takes any text, so the cross-field rules can ask it of a raw (maybe invalid) JWT_ALGORITHM. */
function isAsymmetricAlgorithm(algorithm: string | undefined): algorithm is AsymmetricJwtAlgorithm {
  return (ASYMMETRIC_JWT_ALGORITHMS as readonly (string | undefined)[]).includes(algorithm);
}

// Each builder validates one (already trimmed, non-empty) value; its message is what follows the variable's name.

/** Exactly one of `values`; case matters. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `must be one of ${values.join(', ')} (got "${String(issue.input)}")` });
}

function bool() {
  return z.stringbool({
    truthy: ['true', '1', 'yes', 'on'],
    falsy: ['false', '0', 'no', 'off'],
    case: 'insensitive',
    error: (issue) => `must be true or false (got "${String(issue.input).toLowerCase()}")`,
  });
}

/** Checked as text, before conversion, so "1e3", "0x10" or "8.0" are refused and the message quotes the value as written. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const inRange = z.int().min(min).max(max);
  return z
    .string()
    .refine((text) => /^-?\d+$/.test(text) && inRange.safeParse(Number(text)).success, {
      error: (issue) => `must be an integer between ${min} and ${max} (got "${String(issue.input)}")`,
    })
    .transform(Number);
}

/**
 * Whatever `new URL` parses, with one of `protocols` (e.g. "https:"), kept as written. Not z.url(): that also
 * drops inner tabs and newlines and, for http(s), demands "://", refusing values this service has always taken.
 */
function url(...protocols: string[]) {
  return z.string().refine((text) => URL.canParse(text) && protocols.includes(new URL(text).protocol), {
    error: () => `must be a ${protocols.join(' or ')} URL`,
  });
}

/** Relative paths are taken from the working directory at start-up; `memory://` is PGlite's in-memory store. */
function path() {
  return z
    .string()
    .transform((value) => (value.startsWith('memory://') || isAbsolute(value) ? value : resolve(process.cwd(), value)));
}

/** A comma-separated list of Prometheus label names (`[a-zA-Z_][a-zA-Z0-9_]*`), kept as written. */
function labelNameList() {
  return z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .refine((names) => names.every((name) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)), {
      error: (issue) => `must be a comma-separated list of label names (got "${String(issue.input)}")`,
    });
}

/** A comma-separated list of host names, compared lower-case. */
function hostList() {
  return z.string().transform((list) =>
    list
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  );
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const MAX_PROXY_HOPS = 100;

/** An address, an address/prefix-length range or one of proxy-addr's names. */
function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function parseTrustProxy(text: string): TrustProxy | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= MAX_PROXY_HOPS ? hops : undefined;
  }
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.length > 0 && entries.every(isTrustedProxyEntry) ? entries : undefined;
}

/** TRUST_PROXY: true, false, a number of hops, or a comma-separated list of addresses, ranges and names. */
function trustProxy() {
  return z
    .string()
    .refine((text) => parseTrustProxy(text) !== undefined, {
      error: (issue) =>
        `must be true, false, a number of hops (1–${MAX_PROXY_HOPS}) or a comma-separated list of IP addresses, ` +
        `CIDR ranges and ${TRUST_PROXY_NAMES.join(', ')} (got "${String(issue.input)}")`,
    })
    .transform((text) => parseTrustProxy(text) as TrustProxy);
}

const postgresUrl = url('postgres:', 'postgresql:');

/**
 * Every variable the service reads. Problems are reported in this order, so it keeps the one the service always had:
 * the variables the cross-field rules look at first, then the rest section by section.
 */
const Variables = z.object({
  ENVIRONMENT: oneOf(ENVIRONMENTS).default('development'),
  DEBUG: bool().default(false),
  DATABASE_URL: postgresUrl.optional(), // unset: the embedded PGlite
  JWT_SECRET_KEY: z.string().optional(), // unset: DEVELOPMENT_JWT_SECRET
  JWT_ALGORITHM: oneOf(JWT_ALGORITHMS).default('HS256'),
  STORAGE_DRIVER: oneOf(STORAGE_DRIVERS).default('local'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  AZURE_STORAGE_CONNECTION_STRING: z.string().optional(),
  AZURE_STORAGE_ACCOUNT: z.string().optional(),
  AZURE_STORAGE_KEY: z.string().optional(),
  AZURE_STORAGE_CONTAINER: z.string().optional(),
  ATTACHMENT_DOWNLOAD_MODE: oneOf(DOWNLOAD_MODES).default('proxy'),

  HOST: z.string().default('0.0.0.0'),
  SERVICE_PORT: integer(0, 65_535).default(8002),
  SHUTDOWN_GRACE_PERIOD_MS: integer(0, 600_000).default(15_000),
  LOG_LEVEL: oneOf(LOG_LEVELS).optional(), // unset: debug with DEBUG, else info
  DOCS_ENABLED: bool().optional(), // unset: on outside production
  RATE_LIMIT_PER_MINUTE: integer(0, 1_000_000).default(1200),
  TRUST_PROXY: trustProxy().default(false),
  REDIS_URL: url('redis:', 'rediss:').optional(), // unset: rate limits counted in each instance's memory
  REDIS_KEY_PREFIX: z.string().default('ticket-service:'),

  DB_POOL_SIZE: integer(1, 1000).default(10),
  DB_SEARCH_POOL_SIZE: integer(1, 1000).default(4),
  PGLITE_DATA_DIR: path().prefault('./.data/pglite'),
  MIGRATIONS_RUN: bool().default(true),
  SEARCH_STATEMENT_TIMEOUT_MS: integer(100, 600_000).default(5000),

  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_CLOCK_SKEW_SECONDS: integer(0, 600).default(30),
  AUTH_SERVICE_URL: url('http:', 'https:').default('http://localhost:8001'), // where the JWKS is by default
  JWT_JWKS_URL: url('http:', 'https:').optional(), // unset: AUTH_SERVICE_URL + /.well-known/jwks.json
  JWT_JWKS_CACHE_SECONDS: integer(1, 86_400).default(600),
  JWT_JWKS_REFRESH_COOLDOWN_SECONDS: integer(0, 3600).default(30),
  JWT_JWKS_TIMEOUT_MS: integer(100, 60_000).default(5000),

  // Beside the embedded database, not in a temp folder: /tmp is emptied on reboot and shared by every installation.
  UPLOAD_STORAGE_PATH: path().prefault('./.data/attachments'),
  UPLOAD_MAX_FILE_SIZE: integer(1).default(DEFAULT_UPLOAD_MAX_FILE_SIZE),
  S3_ENDPOINT: url('http:', 'https:').optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool().default(false),
  ATTACHMENT_DOWNLOAD_URL_TTL_SECONDS: integer(1, MAX_DOWNLOAD_URL_TTL_SECONDS).default(MAX_DOWNLOAD_URL_TTL_SECONDS),
  VIRUS_SCAN_ENABLED: bool().default(false),
  CLAMAV_HOST: z.string().default('127.0.0.1'),
  CLAMAV_PORT: integer(1, 65_535).default(3310),
  CLAMAV_TIMEOUT_MS: integer(100, 600_000).default(10_000),

  TICKET_REOPEN_WINDOW_DAYS: integer(0, 3650).default(7),

  SLA_ENABLED: bool().default(true),
  SLA_CHECK_INTERVAL_SECONDS: integer(1, 86_400).default(60),

  ALERT_REOPEN_WINDOW_MINUTES: integer(0, 43_200).default(60),
  ALERT_AUTO_RESOLVE: bool().default(false),
  ALERT_TAG_LABELS: labelNameList().default(['alertname']),

  NOTIFICATIONS_ENABLED: bool().default(true),
  WEBHOOK_ALLOWED_HOSTS: hostList().default([]),
  WEBHOOK_MAX_ATTEMPTS: integer(1, 50).default(8),
  WEBHOOK_TIMEOUT_MS: integer(100, 60_000).default(5000),
  WEBHOOK_DISPATCH_INTERVAL_MS: integer(50, 3_600_000).default(1000),
});

type Variables = z.output<typeof Variables>;
type VariableName = keyof Variables;
type RawVariables = Partial<Record<VariableName, string>>;

const VARIABLE_NAMES = Variables.keyof().options;

/** A problem with one variable; `message` follows its name. */
interface Problem {
  variable: string;
  message: string;
}

/** Values are trimmed and an empty one counts as unset, so `SERVICE_PORT=` in an env file means the default. */
function setVariables(env: Env): RawVariables {
  const raw: RawVariables = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name]?.trim();
    if (value) raw[name] = value;
  }
  return raw;
}

/**
 * The rules that span variables. Not a superRefine on `Variables`: zod skips those once a variable has failed (even
 * with `when`, after a bad boolean), and one boot should report everything. So they read the raw values: an invalid
 * ENVIRONMENT or STORAGE_DRIVER is simply not "production" or "s3" (as it used to fall back to the default), and a
 * malformed DATABASE_URL has been reported by itself.
 */
function crossFieldProblems(raw: RawVariables): Problem[] {
  const problems: Problem[] = [];
  const problem = (variable: VariableName, message: string) => problems.push({ variable, message });
  const production = raw.ENVIRONMENT === 'production';
  const secret = raw.JWT_SECRET_KEY;
  // An invalid JWT_ALGORITHM has been reported by itself; the secret rules then apply as for the default.
  const asymmetric = isAsymmetricAlgorithm(raw.JWT_ALGORITHM);

  if (production && raw.DATABASE_URL === undefined) problem('DATABASE_URL', 'is required when ENVIRONMENT=production');
  if (asymmetric) {
    // Two ways to verify would leave it unclear which one the auth service uses.
    if (secret !== undefined) {
      problem(
        'JWT_SECRET_KEY',
        `must not be set with JWT_ALGORITHM=${raw.JWT_ALGORITHM} (tokens are verified against the JWKS)`,
      );
    }
  } else if (production && secret === undefined) {
    problem('JWT_SECRET_KEY', 'is required when ENVIRONMENT=production (at least 32 characters)');
  } else if (production && secret !== undefined && secret.length < 32) {
    problem('JWT_SECRET_KEY', 'must be at least 32 characters when ENVIRONMENT=production');
  } else if (secret === undefined && postgresUrl.safeParse(raw.DATABASE_URL).success) {
    // The built-in secret is public; it is only for the self-contained embedded set-up.
    problem(
      'JWT_SECRET_KEY',
      'is required with DATABASE_URL (the development secret only serves the embedded database)',
    );
  }

  if (!asymmetric) {
    for (const variable of JWKS_VARIABLES) {
      if (raw[variable] !== undefined) {
        problem(
          variable,
          `is only used with JWT_ALGORITHM ${ASYMMETRIC_JWT_ALGORITHMS.join(', ')} (the HMAC algorithms use JWT_SECRET_KEY)`,
        );
      }
    }
  }

  if (raw.STORAGE_DRIVER === 's3' && raw.S3_BUCKET === undefined) {
    problem('S3_BUCKET', 'is required when STORAGE_DRIVER=s3');
  }
  if ((raw.S3_ACCESS_KEY_ID === undefined) !== (raw.S3_SECRET_ACCESS_KEY === undefined)) {
    problem('S3_ACCESS_KEY_ID', 'and S3_SECRET_ACCESS_KEY must be set together');
  }
  if (raw.STORAGE_DRIVER === 'azure') problems.push(...azureProblems(raw));
  if (raw.ATTACHMENT_DOWNLOAD_MODE === 'redirect' && raw.STORAGE_DRIVER !== 's3' && raw.STORAGE_DRIVER !== 'azure') {
    problem(
      'ATTACHMENT_DOWNLOAD_MODE',
      'redirect needs STORAGE_DRIVER=s3 or azure (the local disk cannot sign download URLs)',
    );
  }
  return problems;
}

/** STORAGE_DRIVER=azure: a container, and a connection string or an account with its key (not both). */
function azureProblems(raw: RawVariables): Problem[] {
  const problems: Problem[] = [];
  const problem = (variable: VariableName, message: string) => problems.push({ variable, message });
  if (raw.AZURE_STORAGE_CONTAINER === undefined) {
    problem('AZURE_STORAGE_CONTAINER', 'is required when STORAGE_DRIVER=azure');
  }
  const connectionString = raw.AZURE_STORAGE_CONNECTION_STRING !== undefined;
  const accountOrKey = raw.AZURE_STORAGE_ACCOUNT !== undefined || raw.AZURE_STORAGE_KEY !== undefined;
  if (connectionString && accountOrKey) {
    problem(
      'AZURE_STORAGE_CONNECTION_STRING',
      'and AZURE_STORAGE_ACCOUNT/AZURE_STORAGE_KEY are alternatives; set one of them',
    );
  } else if (!connectionString && (raw.AZURE_STORAGE_ACCOUNT === undefined || raw.AZURE_STORAGE_KEY === undefined)) {
    problem(
      'AZURE_STORAGE_CONNECTION_STRING',
      'or both AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY are required when STORAGE_DRIVER=azure',
    );
  }
  return problems;
}

const JWKS_VARIABLES = [
  'JWT_JWKS_URL',
  'JWT_JWKS_CACHE_SECONDS',
  'JWT_JWKS_REFRESH_COOLDOWN_SECONDS',
  'JWT_JWKS_TIMEOUT_MS',
] as const satisfies readonly VariableName[];

/** With an asymmetric algorithm, the auth service's JWKS: JWT_JWKS_URL, or the well-known path under AUTH_SERVICE_URL. */
function authSettings(vars: Variables): AuthSettings {
  const common: CommonAuthSettings = {
    secret: vars.JWT_SECRET_KEY ?? DEVELOPMENT_JWT_SECRET,
    usingDevelopmentSecret: vars.JWT_SECRET_KEY === undefined,
    issuer: vars.JWT_ISSUER ?? null,
    audience: vars.JWT_AUDIENCE ?? null,
    clockSkewSeconds: vars.JWT_CLOCK_SKEW_SECONDS,
  };
  const algorithm = vars.JWT_ALGORITHM;
  if (!isAsymmetricAlgorithm(algorithm)) return { ...common, algorithm, jwks: null };
  const jwks: JwksSettings = {
    url: vars.JWT_JWKS_URL ?? `${vars.AUTH_SERVICE_URL.replace(/\/+$/, '')}/.well-known/jwks.json`,
    maxAgeMs: vars.JWT_JWKS_CACHE_SECONDS * 1000,
    cooldownMs: vars.JWT_JWKS_REFRESH_COOLDOWN_SECONDS * 1000,
    timeoutMs: vars.JWT_JWKS_TIMEOUT_MS,
  };
  return { ...common, algorithm, jwks };
}

/** Stable, so a cross-field problem lands after its variable's own. */
function inTableOrder(problems: Problem[]): Problem[] {
  const rank = (problem: Problem) => (VARIABLE_NAMES as readonly string[]).indexOf(problem.variable);
  return [...problems].sort((a, b) => rank(a) - rank(b));
}

function toAppConfig(vars: Variables): AppConfig {
  const production = vars.ENVIRONMENT === 'production';
  return {
    app: {
      environment: vars.ENVIRONMENT,
      debug: vars.DEBUG,
      host: vars.HOST,
      port: vars.SERVICE_PORT,
      shutdownGracePeriodMs: vars.SHUTDOWN_GRACE_PERIOD_MS,
      logLevel: vars.LOG_LEVEL ?? (vars.DEBUG ? 'debug' : 'info'),
      docsEnabled: vars.DOCS_ENABLED ?? !production,
      rateLimitPerMinute: vars.RATE_LIMIT_PER_MINUTE,
      trustProxy: vars.TRUST_PROXY,
    },
    redis: {
      url: vars.REDIS_URL ?? null,
      keyPrefix: vars.REDIS_KEY_PREFIX,
    },
    db: {
      url: vars.DATABASE_URL ?? null,
      poolSize: vars.DB_POOL_SIZE,
      searchPoolSize: vars.DB_SEARCH_POOL_SIZE,
      pgliteDataDir: vars.PGLITE_DATA_DIR,
      runMigrations: vars.MIGRATIONS_RUN,
      searchStatementTimeoutMs: vars.SEARCH_STATEMENT_TIMEOUT_MS,
    },
    auth: authSettings(vars),
    storage: {
      driver: vars.STORAGE_DRIVER,
      path: vars.UPLOAD_STORAGE_PATH,
      maxFileSize: vars.UPLOAD_MAX_FILE_SIZE,
      s3: {
        bucket: vars.S3_BUCKET ?? null,
        endpoint: vars.S3_ENDPOINT ?? null,
        region: vars.S3_REGION,
        accessKeyId: vars.S3_ACCESS_KEY_ID ?? null,
        secretAccessKey: vars.S3_SECRET_ACCESS_KEY ?? null,
        forcePathStyle: vars.S3_FORCE_PATH_STYLE,
      },
      azure: {
        connectionString: vars.AZURE_STORAGE_CONNECTION_STRING ?? null,
        account: vars.AZURE_STORAGE_ACCOUNT ?? null,
        accountKey: vars.AZURE_STORAGE_KEY ?? null,
        container: vars.AZURE_STORAGE_CONTAINER ?? null,
      },
      downloadMode: vars.ATTACHMENT_DOWNLOAD_MODE,
      downloadUrlTtlSeconds: vars.ATTACHMENT_DOWNLOAD_URL_TTL_SECONDS,
      virusScanEnabled: vars.VIRUS_SCAN_ENABLED,
      clamavHost: vars.CLAMAV_HOST,
      clamavPort: vars.CLAMAV_PORT,
      clamavTimeoutMs: vars.CLAMAV_TIMEOUT_MS,
    },
    tickets: {
      reopenWindowDays: vars.TICKET_REOPEN_WINDOW_DAYS,
    },
    sla: {
      enabled: vars.SLA_ENABLED,
      checkIntervalSeconds: vars.SLA_CHECK_INTERVAL_SECONDS,
    },
    alerts: {
      reopenWindowMinutes: vars.ALERT_REOPEN_WINDOW_MINUTES,
      autoResolve: vars.ALERT_AUTO_RESOLVE,
      tagLabels: vars.ALERT_TAG_LABELS,
    },
    notifications: {
      enabled: vars.NOTIFICATIONS_ENABLED,
      webhookAllowedHosts: vars.WEBHOOK_ALLOWED_HOSTS,
      webhookMaxAttempts: vars.WEBHOOK_MAX_ATTEMPTS,
      webhookTimeoutMs: vars.WEBHOOK_TIMEOUT_MS,
      webhookDispatchIntervalMs: vars.WEBHOOK_DISPATCH_INTERVAL_MS,
    },
  };
}

/**
 * Parses and validates the whole environment into typed configuration.
 * Throws ConfigValidationError naming every bad variable at once.
 */
export function parseConfig(env: Env): AppConfig {
  const raw = setVariables(env);
  const parsed = Variables.safeParse(raw);
  const problems: Problem[] = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message }))),
    ...crossFieldProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigValidationError(inTableOrder(problems).map(({ variable, message }) => `${variable} ${message}`));
  }
  return toAppConfig(parsed.data);
}
