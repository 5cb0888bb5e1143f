import { Logger } from '@nestjs/common';
import type { TicketEventType } from '@ticketing/contracts';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { serializeError } from '../../../common/logging/serialize-error';
import type { EnvelopeSource } from '../events.service';
import type { DeliveryState } from './webhook.entities';

/** One attempt a dispatcher has claimed: what to send where. */
export interface Claim {
  deliveryId: string;
  /** 1-based; the delivery's `attempts` once claimed. */
  attempt: number;
  url: string;
  secret: string;
  event: EnvelopeSource;
}

/** The result of one attempt and what it makes of its delivery. */
export interface AttemptOutcome {
  deliveryId: string;
  attempt: number;
  attemptedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  state: DeliveryState;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}

interface ClaimRow {
  delivery_id: string;
  attempt: number;
  url: string;
  secret: string;
  event_id: string;
  type: TicketEventType;
  occurred_at: Date;
  ticket_id: string;
  actor_id: string | null;
  internal: boolean;
  data: object;
}

const logger = new Logger('WebhookQueue');

/** Where the queue's statements run. */
export interface StatementRunner {
  query<Row>(sql: string, parameters: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/**
 * Connections of the dispatcher's own on PostgreSQL: its claims and outcomes do not queue behind the requests
 * waiting for the app's pool when the API is busy (which is when the most events arrive), nor hold them up.
 */
export function ownConnections(url: string): StatementRunner {
  const pool = new Pool({
    connectionString: url,
    // One claim and one batch of outcomes at a time per pass.
    max: 2,
    application_name: 'ticket-service-webhooks',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // A connection that breaks while idle (a restarted server) is dropped by the pool; the next statement opens
  // another. Without a listener the error would end the process.
  pool.on('error', (error) => logger.warn({ err: serializeError(error) }, 'webhook queue connection lost'));
  return {
    query: async <Row>(sql: string, parameters: readonly unknown[]) =>
      (await pool.query(sql, [...parameters])).rows as Row[],
    close: () => pool.end(),
  };
}

/** The app's pool: on the embedded PGlite, whose single connection must carry every statement. */
export function appConnections(dataSource: DataSource): StatementRunner {
  return {
    query: <Row>(sql: string, parameters: readonly unknown[]) => dataSource.query<Row[]>(sql, [...parameters]),
    close: () => Promise.resolve(),
  };
}

/**
 * The dispatchers' queue over `webhook_deliveries`, one statement per call: claims are shared between instances
 * with FOR UPDATE SKIP LOCKED and a lease; outcomes are logged and applied many at a time.
 */
export class DeliveryQueue {
  constructor(private readonly database: StatementRunner) {}

  /**
   * Claims up to `limit` due deliveries of live subscriptions: counts the attempt and hides the delivery until
   * `leaseUntil`, so no other pass sends it meanwhile and a crashed sender's claim expires. Returns each with its
   * event, read in the same statement.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Claim[]> {
    const rows = await this.database.query<ClaimRow>(
      `WITH due AS (
         SELECT d.id, s.url, s.secret
         FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
         WHERE d.state = 'PENDING' AND d.next_attempt_at <= $1 AND s.active AND s.deleted_at IS NULL
         ORDER BY d.next_attempt_at
         LIMIT $3
         FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.attempts, d.event_id, due.url, due.secret
       )
       SELECT c.id AS delivery_id, c.attempts AS attempt, c.url, c.secret, e.id AS event_id, e.type,
              e.occurred_at, e.ticket_id, e.actor_id, e.internal, e.data
       FROM claimed c JOIN outbox_events e ON e.id = c.event_id`,
      [now, leaseUntil, limit],
    );
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      attempt: row.attempt,
      url: row.url,
      secret: row.secret,
      event: {
        id: row.event_id,
        type: row.type,
        occurredAt: row.occurred_at,
        ticketId: row.ticket_id,
        actorId: row.actor_id,
        internal: row.internal,
        data: row.data,
      },
    }));
  }

  /**
   * Logs every attempt and applies its outcome to its delivery, atomically, in one statement. An outcome applies
   * only while the delivery's `attempts` is still that attempt: a redeliver claimed since then wins over it.
   */
  async record(outcomes: readonly AttemptOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.database.query(
      `WITH outcome AS (
         SELECT * FROM unnest($1::uuid[], $2::integer[], $3::timestamptz[], $4::integer[], $5::integer[],
                              $6::varchar[], $7::varchar[], $8::timestamptz[], $9::timestamptz[])
           AS o (delivery_id, attempt, attempted_at, duration_ms, response_status, error, state, delivered_at,
                 next_attempt_at)
       ), logged AS (
         INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, duration_ms, response_status, error)
         SELECT delivery_id, attempt, attempted_at, duration_ms, response_status, error FROM outcome
       )
       UPDATE webhook_deliveries d
       SET state = o.state, last_status = o.response_status, last_error = o.error, delivered_at = o.delivered_at,
           next_attempt_at = o.next_attempt_at
       FROM outcome o
       WHERE d.id = o.delivery_id AND d.attempts = o.attempt`,
      [
        outcomes.map((outcome) => outcome.deliveryId),
        outcomes.map((outcome) => outcome.attempt),
        outcomes.map((outcome) => outcome.attemptedAt),
        outcomes.map((outcome) => outcome.durationMs),
        outcomes.map((outcome) => outcome.responseStatus),
        outcomes.map((outcome) => outcome.error),
        outcomes.map((outcome) => outcome.state),
        outcomes.map((outcome) => outcome.deliveredAt),
        outcomes.map((outcome) => outcome.nextAttemptAt),
      ],
    );
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
