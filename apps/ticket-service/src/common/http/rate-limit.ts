import { Inject, Injectable, Logger, type LoggerService, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type RateLimitInfo, type Store } from 'express-rate-limit';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { type AccessTokenVerifier, onVerdict, readBearerToken } from '../auth/access-token';
import { ACCESS_TOKEN_VERIFIER } from '../auth/access-token-verifier';
import { AuthModule } from '../auth/auth.module';
import { DomainError } from '../errors/domain-error';
import { sendDomainError } from '../errors/error-response';
import { serializeError } from '../logging/serialize-error';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { SharedRateLimitStore } from './rate-limit-store';

const WINDOW_MS = 60_000;

/**
 * Whom a request counts against: the user of a token that verifies, from whatever address they call; otherwise the
 * client address (an IPv6 address by its /56, which one subscriber usually holds whole). The token is verified,
 * not just decoded: keying on an unchecked `sub` would let a client spread its calls over buckets with forged tokens.
 */
export function rateLimitKey(req: Request, verifyToken: AccessTokenVerifier): string | Promise<string> {
  const credentials = readBearerToken(req.headers.authorization);
  const verdict = 'token' in credentials ? verifyToken(credentials.token) : credentials.failure;
  return onVerdict(verdict, (principal) =>
    'kind' in principal
      ? `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`
      : `user:${principal.id}`,
  );
}

export interface RateLimiterOptions {
  perMinute: number;
  verifyToken: AccessTokenVerifier;
  /** Where requests are counted. */
  store: Store;
  logger: Pick<LoggerService, 'warn' | 'error'>;
}

/**
 * One-minute windows per user or client address (rateLimitKey). Every API response says where the caller stands
 * (RateLimit-Limit, -Remaining, -Reset and -Policy: IETF draft 6); over the limit is the spec's 429 with Retry-After.
 */
export function rateLimiter(options: RateLimiterOptions): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: options.perMinute,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (req) => rateLimitKey(req, options.verifyToken),
    store: options.store,
    handler: (req, res) => {
      const { resetTime } = (req as Request & { rateLimit: RateLimitInfo }).rateLimit;
      const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000));
      sendDomainError(
        req,
        res,
        new DomainError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${seconds} s`, {
          headers: { 'Retry-After': String(seconds) },
        }),
      );
    },
    // express-rate-limit reports misconfigurations and store failures here.
    logger: {
      warn: (error, message) => {
        options.logger.warn({ err: serializeError(error) }, message ?? 'rate limiter');
      },
      error: (error, message) => {
        options.logger.error({ err: serializeError(error) }, message ?? 'rate limiter');
      },
    },
  });
}

/**
 * The API's rate limiter (mounted by app.setup.ts), counting in Redis when REDIS_URL is set, so that every instance
 * enforces one limit, and in this instance's memory otherwise. Closes its Redis connection at shutdown, once the
 * HTTP server has stopped.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  /** Null when limiting is off (RATE_LIMIT_PER_MINUTE=0). */
  readonly middleware: RequestHandler | null = null;
  private readonly store: SharedRateLimitStore | MemoryStore | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    registry: MetricsRegistry,
    @Inject(ACCESS_TOKEN_VERIFIER) verifyToken: AccessTokenVerifier,
  ) {
    if (config.app.rateLimitPerMinute === 0) return;
    const logger = new Logger('RateLimit');
    const { url, keyPrefix } = config.redis;
    this.store =
      url === null
        ? new MemoryStore()
        : new SharedRateLimitStore({
            url,
            keyPrefix: `${keyPrefix}rate-limit:`,
            logger,
            registry,
          });
    this.middleware = rateLimiter({
      perMinute: config.app.rateLimitPerMinute,
      verifyToken,
      store: this.store,
      logger,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store?.shutdown();
  }
}

@Module({ imports: [AuthModule], providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
