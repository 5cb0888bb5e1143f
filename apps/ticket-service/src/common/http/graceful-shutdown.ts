import type { Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { serializeError } from '../logging/serialize-error';

/**
 * After the requests, what the application's own shutdown may take: the periodic jobs finishing their current
 * batch, webhook sends in flight (each bounded by WEBHOOK_TIMEOUT_MS), closing the pool.
 */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The responses in flight on an HTTP server, so that a shutdown can stop accepting connections, let those
 * requests finish, and close each keep-alive connection after its current response instead of waiting for the
 * client to go idle.
 */
export class HttpDrain {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly server: Server) {
    server.prependListener('request', (_request, response: ServerResponse) => this.track(response));
  }

  /**
   * Stops accepting connections, closes the idle ones, and resolves once every request in flight has been
   * answered — or, after `gracePeriodMs`, cuts the connections still busy and resolves with their number.
   */
  async drain(gracePeriodMs: number): Promise<number> {
    this.draining = true;
    for (const response of this.inFlight) this.closeConnectionAfter(response);
    // Node ≥ 19 also closes the idle keep-alive connections here.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => {
      timer = setTimeout(() => resolve('grace over'), gracePeriodMs);
    });
    const outcome = await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (outcome !== 'grace over') return 0;
    const cut = this.inFlight.size;
    this.server.closeAllConnections();
    await closed;
    return cut;
  }

  private track(response: ServerResponse): void {
    this.inFlight.add(response);
    response.once('close', () => this.inFlight.delete(response));
    // A request that was already on its way over a kept-alive connection is still served, as its connection's last.
    if (this.draining) this.closeConnectionAfter(response);
  }

  private closeConnectionAfter(response: ServerResponse): void {
    if (!response.headersSent) {
      // Node then sends `Connection: close` and ends the connection after the response.
      response.shouldKeepAlive = false;
      return;
    }
    // Headers already promised keep-alive (a download under way): close the connection once it is idle.
    response.once('finish', () => setImmediate(() => this.server.closeIdleConnections()));
  }
}

export interface GracefulShutdownOptions {
  gracePeriodMs: number;
  logger: Logger;
}

/**
 * On SIGTERM or SIGINT: stop accepting connections and let the requests in flight finish (within the grace
 * period), then close the application — the periodic jobs after their current batch, the webhook dispatcher and
 * its listener, the database pool — and exit 0; 1 when closing fails or takes longer than CLOSE_TIMEOUT_MS, or on a
 * second signal. This replaces Nest's enableShutdownHooks, whose sequence closes the pool while the HTTP server
 * still takes requests, and which ends the process by raising the signal again (exit status 143, not 0).
 */
export function shutDownGracefullyOnSignals(app: INestApplication, options: GracefulShutdownOptions): void {
  const { logger, gracePeriodMs } = options;
  const drain = new HttpDrain(app.getHttpServer() as Server);
  let shuttingDown = false;

  const shutDown = async (signal: NodeJS.Signals): Promise<void> => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal during shutdown: exiting at once');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal, grace_period_ms: gracePeriodMs }, 'shutting down: finishing the requests in flight');
    const cut = await drain.drain(gracePeriodMs);
    if (cut > 0) logger.warn({ requests: cut }, 'grace period over: cut the connections of unfinished requests');
    const watchdog = setTimeout(() => {
      logger.error({ close_timeout_ms: CLOSE_TIMEOUT_MS }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    watchdog.unref();
    try {
      await app.close();
    } catch (error) {
      logger.error({ err: serializeError(error) }, 'shutdown failed');
      process.exit(1);
    }
    logger.info('shut down');
    process.exit(0);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutDown(signal));
  }
}
