import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { RequestContext } from '../../common/context/request-context';
import { OutboxEvent } from '../notifications/outbox-event.entity';
import type { PendingEvent } from '../notifications/ticket-events';
import type { ChangeEntry } from './ticket-changes';
import { TicketHistory } from './ticket-history.entity';

/**
 * Appends history rows and outbox events of one change through the given manager, so they join the
 * change's transaction. The actor and the action's notes come from the request context (null = the system).
 * Used by the audit subscribers of tickets, comments and attachments.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  get actionNotes(): string | null {
    return this.context.actionNotes;
  }

  async record(
    manager: EntityManager,
    ticketId: string,
    entries: readonly ChangeEntry[],
    events: readonly PendingEvent[],
  ): Promise<void> {
    const actorId = this.context.actor?.id ?? null;
    if (entries.length > 0) {
      const notes = this.context.actionNotes;
      const history = manager.getRepository(TicketHistory);
      const rows = entries.map((entry) => ({
        ...entry,
        ticketId,
        userId: actorId,
        metadata: notes ? { ...entry.metadata, notes } : entry.metadata,
      }));
      await history.insert(history.create(rows));
    }
    if (events.length > 0) {
      const occurredAt = this.clock.now();
      const outbox = manager.getRepository(OutboxEvent);
      const rows = events.map(({ internal, ...event }) => ({
        ...event,
        ticketId,
        actorId,
        occurredAt,
        internal: internal ?? false,
      }));
      const inserted = await outbox.insert(outbox.create(rows));
      // Fan out to the webhook subscriptions in the same transaction: no event without its deliveries.
      await manager.query(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, next_attempt_at)
         SELECT s.id, e.id, $2 FROM webhook_subscriptions s JOIN outbox_events e ON e.id = ANY($1::uuid[])
         WHERE s.active AND s.deleted_at IS NULL AND (cardinality(s.events) = 0 OR e.type = ANY(s.events))`,
        [inserted.identifiers.map((identifier) => identifier.id as string), occurredAt],
      );
    }
  }
}
