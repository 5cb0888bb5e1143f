import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { serializeError } from '../../../common/logging/serialize-error';

/** Notified (`pg_notify`) by every transaction that makes deliveries due: new events, a redeliver. */
export const DUE_DELIVERIES_CHANNEL = 'webhook_deliveries_due';
/** Names the listening session in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'ticket-service-webhook-listener';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;

/**
 * A dedicated PostgreSQL session that LISTENs on the due-deliveries channel and calls `onDue` for every
 * notification. A lost session is replaced, with exponential backoff while the server stays away; once listening
 * again it calls `onDue` too, since notifications sent meanwhile are lost.
 */
export class DueDeliveryListener {
  private readonly logger = new Logger('WebhookListener');
  private client: Client | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly connectionString: string,
    private readonly onDue: () => void,
  ) {}

  /** Resolves after the first attempt to listen; if it failed, the next ones run in the background. */
  start(): Promise<void> {
    return this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.connectionString,
      application_name: LISTENER_APPLICATION_NAME,
      // A half-open connection (no FIN from a vanished server) would otherwise wait for notifications forever.
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    let lost = false;
    const onLost = (error: unknown): void => {
      if (lost || this.stopped) return;
      lost = true;
      this.client = null;
      void client.end().catch(() => undefined);
      const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures++);
      this.logger.warn(
        { err: serializeError(error), retry_in_ms: delayMs },
        'webhook listener lost its database session; polling only until it is back',
      );
      this.retryTimer = setTimeout(() => void this.listen(), delayMs);
      this.retryTimer.unref();
    };
    // pg emits 'error' on a client that is already gone too: the handler must outlive the session.
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the listening session ended')));
    client.on('notification', () => this.onDue());
    try {
      await client.connect();
      await client.query(`LISTEN ${DUE_DELIVERIES_CHANNEL}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (this.failures > 0) this.logger.log('webhook listener is listening again');
    this.failures = 0;
    this.onDue();
  }
}
