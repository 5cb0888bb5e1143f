import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { RequestContext } from '../../common/context/request-context';
import { type AuditEvent, AuditSinks } from './audit-sinks';
import type { ChangeEntry } from './change-entry';
import { TicketHistory } from './ticket-history.entity';

/**
 * Appends the history rows of one change through the given manager, so they join the change's
 * transaction, and hands its events to the audit sinks in the same transaction. The actor and the
 * action's notes come from the request context (null = the system). Used by the audit subscribers of
 * tickets, comments and attachments.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly sinks: AuditSinks,
  ) {}

  get actionNotes(): string | null {
    return this.context.actionNotes;
  }

  async record(
    manager: EntityManager,
    ticketId: string,
    entries: readonly ChangeEntry[],
    events: readonly AuditEvent[],
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
      const audited = { ticketId, actorId, occurredAt: this.clock.now(), events };
      for (const sink of this.sinks.all) await sink.write(manager, [audited]);
    }
  }
}
