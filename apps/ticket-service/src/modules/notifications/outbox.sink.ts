import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditedEvents, type AuditSink, AuditSinks } from '../history';
import { OutboxEvent } from './outbox-event.entity';
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

  async write(manager: EntityManager, batch: readonly AuditedEvents[]): Promise<void> {
    const outbox = manager.getRepository(OutboxEvent);
    const rows = batch.flatMap(({ ticketId, actorId, occurredAt, events }) =>
      events.map(({ internal, ...event }) => ({
        ...event,
        ticketId,
        actorId,
        occurredAt,
        internal: internal ?? false,
      })),
    );
    if (rows.length === 0) return;
    const inserted = await outbox.insert(outbox.create(rows));
    // The notification goes out at commit, and only if deliveries were created: it wakes the dispatchers.
    await manager.query(
      `WITH created AS (
         INSERT INTO webhook_deliveries (subscription_id, event_id, next_attempt_at)
         SELECT s.id, e.id, e.occurred_at FROM webhook_subscriptions s JOIN outbox_events e ON e.id = ANY($1::uuid[])
         WHERE s.active AND s.deleted_at IS NULL AND (cardinality(s.events) = 0 OR e.type = ANY(s.events))
         RETURNING 1
       )
       SELECT pg_notify($2, '') WHERE EXISTS (SELECT FROM created)`,
      [inserted.identifiers.map((identifier) => identifier.id as string), DUE_DELIVERIES_CHANNEL],
    );
  }
}
