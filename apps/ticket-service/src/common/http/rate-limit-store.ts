import type { LoggerService } from '@nestjs/common';
import { type IncrementResponse, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { Counter, type Registry } from 'prom-client';
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';
import { serializeError } from '../logging/serialize-error';

/** A count waits this long for Redis at most before the request is counted in memory instead. */
const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CONNECT_TIMEOUT_MS = 2000;
const REDIS_MAX_RECONNECT_DELAY_MS = 5000;

export interface SharedRateLimitStoreOptions {
  /** A redis: or rediss: URL. */
  url: string;
  keyPrefix: string;
  logger: Pick<LoggerService, 'warn' | 'log'>;
  registry: Registry;
}

/**
 * Rate-limit counts in Redis, shared by every instance. When Redis does not answer, a request is counted in this
 * instance's memory instead (with a warning once per outage and the `rate_limit_local_fallbacks_total` metric):
 * the limit still holds per instance and the API stays up, rather than refusing every call (fail closed) or
 * limiting none (fail open). The shared counts resume as soon as Redis answers again.
 */
export class SharedRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly client: ReturnType<typeof createClient>;
  private readonly shared: RedisStore;
  private readonly local = new MemoryStore();
  private readonly fallbacks: Counter;
  private readonly logger: Pick<LoggerService, 'warn' | 'log'>;
  /** Between a failure and the next success: one warning per outage. */
  private degraded = false;

  constructor(options: SharedRateLimitStoreOptions) {
    this.prefix = options.keyPrefix;
    this.logger = options.logger;
    // Connects and reconnects in the background, so the service starts and serves while Redis is down. While it is
    // not connected, commands fail at once instead of queueing: a request never waits for Redis to come back.
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
      socket: {
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, REDIS_MAX_RECONNECT_DELAY_MS),
      },
    });
    // Without a listener, an `error` event (Redis unreachable) would end the process.
    this.client.on('error', (error: unknown) => this.unavailable(error));
    this.shared = new RedisStore({
      prefix: options.keyPrefix,
      sendCommand: (...args: string[]) => this.client.sendCommand(args),
    });
    this.fallbacks = new Counter({
      name: 'rate_limit_local_fallbacks_total',
      help: "API requests counted in this instance's memory because Redis did not answer",
      registers: [options.registry],
    });
  }

  /** Called by the limiter it serves: starts connecting. */
  init(options: Options): void {
    this.local.init(options);
    // RedisStore loads its scripts in init() and keeps a failed load for good: load them on every (re)connection.
    this.client.on('ready', () => {
      this.shared.init(options).then(
        () => this.available(),
        (error: unknown) => this.unavailable(error),
      );
    });
    // Settles once connected; failures meanwhile arrive as `error` events. Rejects when closed before that.
    this.client.connect().catch((error: unknown) => {
      if (this.client.isOpen) this.unavailable(error);
    });
  }

  async increment(key: string): Promise<IncrementResponse> {
    try {
      const counted = await this.shared.increment(key);
      this.available();
      return counted;
    } catch (error) {
      this.unavailable(error);
      this.fallbacks.inc();
      return this.local.increment(key);
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.shared.decrement(key);
    } catch {
      await this.local.decrement(key);
    }
  }

  async resetKey(key: string): Promise<void> {
    await this.local.resetKey(key);
    await this.shared.resetKey(key).catch((error: unknown) => this.unavailable(error));
  }

  /** Stops the memory store's timer and closes the connection (pending counts finish first). */
  async shutdown(): Promise<void> {
    this.local.shutdown();
    if (this.client.isOpen) await this.client.close();
  }

  private unavailable(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      { err: serializeError(error) },
      "Redis does not answer: rate limits are counted in this instance's memory until it does",
    );
  }

  private available(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Redis answers again: rate limits are shared by every instance');
  }
}
