import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditedEvents, type AuditSink, AuditSinks } from '../history';
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
   * One statement: the events, their deliveries and the wake-up notification (sent at commit, and only if
   * deliveries were created). Each round trip costs the request more CPU than the inserts themselves.
   */
  async write(manager: EntityManager, batch: readonly AuditedEvents[]): Promise<void> {
    const rows = batch.flatMap(({ ticketId, actorId, occurredAt, events }) =>
      events.map(({ type, data, internal }) => ({ type, data, ticketId, actorId, occurredAt, internal })),
    );
    if (rows.length === 0) return;
    await manager.query(
      `WITH events AS (
         INSERT INTO outbox_events (type, occurred_at, ticket_id, actor_id, internal, data)
         SELECT type, occurred_at, ticket_id, actor_id, internal, data
         FROM unnest($1::varchar[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::boolean[], $6::jsonb[])
              WITH ORDINALITY AS e (type, occurred_at, ticket_id, actor_id, internal, data, position)
         ORDER BY position
         RETURNING id, type, occurred_at
       ), created AS (
         INSERT INTO webhook_deliveries (subscription_id, event_id, next_attempt_at)
         SELECT s.id, e.id, e.occurred_at FROM webhook_subscriptions s JOIN events e
           ON cardinality(s.events) = 0 OR e.type = ANY(s.events)
         WHERE s.active AND s.deleted_at IS NULL
         RETURNING 1
       )
       SELECT pg_notify($7, '') WHERE EXISTS (SELECT FROM created)`,
      [
        rows.map((row) => row.type),
        rows.map((row) => row.occurredAt),
        rows.map((row) => row.ticketId),
        rows.map((row) => row.actorId),
        rows.map((row) => row.internal ?? false),
        rows.map((row) => JSON.stringify(row.data)),
        DUE_DELIVERIES_CHANNEL,
      ],
    );
  }
}
