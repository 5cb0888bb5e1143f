import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { RequestContext } from '../../common/context/request-context';
import { FOLLOWER_IDS_FIELD, TicketEventType } from '@ticketing/contracts';
import { type AuditedEvents, type AuditEvent, AuditSinks } from './audit-sinks';
import type { ChangeEntry } from './change-entry';
import { EventFollowerSources } from './event-followers';

/** The history rows and events of one change of one ticket. */
export interface AuditedChange {
  ticketId: string;
  entries: readonly ChangeEntry[];
  events: readonly AuditEvent[];
}

/**
 * Appends the history rows of one change through the given manager, so they join the change's
 * transaction, and hands its events to the audit sinks in the same transaction. The actor and the
 * action's notes come from the request context (null = the system). Used by the audit subscribers of
 * tickets, comments and attachments, and (many changes at once) by the breach scanner.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly sinks: AuditSinks,
    private readonly followerSources: EventFollowerSources,
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
    await this.recordMany(manager, [{ ticketId, entries, events }]);
  }

  /**
   * The changes of many tickets at once, for set-based writers (the breach scanner): all their history rows, in
   * the order given (their `seq`), and what every sink writes of their events, in one statement.
   */
  async recordMany(manager: EntityManager, changes: readonly AuditedChange[]): Promise<void> {
    const actorId = this.context.actor?.id ?? null;
    const notes = this.context.actionNotes;
    const rows = changes.flatMap(({ ticketId, entries }) =>
      entries.map((entry) => ({ ticketId, entry, metadata: notes ? { ...entry.metadata, notes } : entry.metadata })),
    );
    const params: unknown[] = [];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const tables: string[] = [];
    const effects: string[] = [];
    if (rows.length > 0) {
      // Column arrays rather than a VALUES row per entry: one short statement, whatever the batch size.
      tables.push(`ticket_history_written AS (
        INSERT INTO ticket_history (ticket_id, change_type, field_name, old_value, new_value, user_id, metadata)
        SELECT ticket_id, change_type, field_name, old_value, new_value, ${bind(actorId)}::uuid, metadata
        FROM unnest(${bind(rows.map((row) => row.ticketId))}::uuid[], ${bind(rows.map((row) => row.entry.changeType))}::varchar[],
                    ${bind(rows.map((row) => row.entry.fieldName))}::varchar[], ${bind(rows.map((row) => row.entry.oldValue))}::text[],
                    ${bind(rows.map((row) => row.entry.newValue))}::text[], ${bind(rows.map((row) => JSON.stringify(row.metadata)))}::jsonb[])
          AS entry(ticket_id, change_type, field_name, old_value, new_value, metadata)
      )`);
    }
    const occurredAt = this.clock.now();
    const batch = changes
      .filter(({ events }) => events.length > 0)
      .map(({ ticketId, events }) => ({ ticketId, actorId, occurredAt, events }));
    if (batch.length > 0) {
      const withFollowers = await this.withFollowerIds(manager, batch);
      for (const sink of this.sinks.all) {
        const written = sink.write(withFollowers, bind);
        if (!written) continue;
        tables.push(...written.tables);
        if (written.effect) effects.push(written.effect);
      }
    }
    if (tables.length === 0) return;
    await manager.query(`WITH ${tables.join(', ')} SELECT ${effects.join(', ')}`, params);
  }

  /** Events of a ticket with followers carry their ids in `data.follower_ids`; absent when it has none. */
  private async withFollowerIds(manager: EntityManager, batch: AuditedEvents[]): Promise<AuditedEvents[]> {
    // A ticket created by this very change has nobody following it yet: no need to ask.
    const ticketIds = [
      ...new Set(
        batch
          .filter(({ events }) => !events.some((event) => event.type === TicketEventType.TICKET_CREATED))
          .map(({ ticketId }) => ticketId),
      ),
    ];
    if (ticketIds.length === 0) return batch;
    const followers = new Map<string, readonly string[]>();
    for (const source of this.followerSources.all) {
      for (const [ticketId, ids] of await source.followersOf(manager, ticketIds)) followers.set(ticketId, ids);
    }
    if (followers.size === 0) return batch;
    return batch.map((change) => {
      const ids = followers.get(change.ticketId);
      if (!ids || ids.length === 0) return change;
      const events = change.events.map((event) => ({
        ...event,
        data: { ...event.data, [FOLLOWER_IDS_FIELD]: [...ids] },
      }));
      return { ...change, events };
    });
  }
}
