import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AuditedEvents, type AuditSink, AuditSinks, type BindParameter, type StatementPart } from '../history';
import { DUE_DELIVERIES_CHANNEL } from './webhooks/due-delivery-listener';

/**
 * Writes the events of every audited change to the outbox and fans them out to the webhook subscriptions,
 * in the change's transaction: no change without its events, no event without its deliveries.
 */
@Injectable()
export class OutboxSink implements AuditSink, OnModuleInit {
  constructor(private readonly sinks: AuditSinks) {}

  onModuleInit(): void {
    this.sinks.register(this);
  }

  /**
   * The events, their deliveries and the wake-up notification (sent at commit, and only if deliveries were
   * created), as parts of the statement the change's transaction sends before COMMIT.
   */
  write(batch: readonly AuditedEvents[], bind: BindParameter): StatementPart | null {
    const rows = batch.flatMap(({ ticketId, actorId, occurredAt, events }) =>
      events.map(({ type, data, internal }) => ({ type, data, ticketId, actorId, occurredAt, internal })),
    );
    if (rows.length === 0) return null;
    return {
      tables: [
        `outbox_events_written AS (
           INSERT INTO outbox_events (type, occurred_at, ticket_id, actor_id, internal, data)
           SELECT type, occurred_at, ticket_id, actor_id, internal, data
           FROM unnest(${bind(rows.map((row) => row.type))}::varchar[], ${bind(rows.map((row) => row.occurredAt))}::timestamptz[],
                       ${bind(rows.map((row) => row.ticketId))}::uuid[], ${bind(rows.map((row) => row.actorId))}::uuid[],
                       ${bind(rows.map((row) => row.internal ?? false))}::boolean[], ${bind(rows.map((row) => JSON.stringify(row.data)))}::jsonb[])
                WITH ORDINALITY AS e (type, occurred_at, ticket_id, actor_id, internal, data, position)
           ORDER BY position
           RETURNING id, type, occurred_at
         )`,
        `outbox_deliveries_created AS (
           INSERT INTO webhook_deliveries (subscription_id, event_id, next_attempt_at)
           SELECT s.id, e.id, e.occurred_at FROM webhook_subscriptions s JOIN outbox_events_written e
             ON cardinality(s.events) = 0 OR e.type = ANY(s.events)
           WHERE s.active AND s.deleted_at IS NULL
           RETURNING 1
         )`,
      ],
      effects: [
        `(SELECT pg_notify(${bind(DUE_DELIVERIES_CHANNEL)}, '') WHERE EXISTS (SELECT FROM outbox_deliveries_created))`,
      ],
    };
  }
}
