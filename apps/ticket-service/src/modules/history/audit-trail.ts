import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { RequestContext } from '../../common/context/request-context';
import { FOLLOWER_IDS_FIELD, TicketEventType } from '@ticketing/contracts';
import {
  type BindParameter,
  CommitStatement,
  type DeferredWriter,
  type StatementPart,
} from '../../database/commit-statement';
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
 * transaction, and hands its events to the audit sinks in the same transaction (both in the statement the
 * transaction sends before COMMIT). The actor and the
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
    private readonly commitStatement: CommitStatement,
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
   * the order given (their `seq`), and what every sink writes of their events. In a transaction they join the
   * statement it sends before COMMIT (with the rest of the transaction's audit rows); otherwise they are written
   * at once, in one statement.
   */
  async recordMany(manager: EntityManager, changes: readonly AuditedChange[]): Promise<void> {
    const actorId = this.context.actor?.id ?? null;
    const notes = this.context.actionNotes;
    const occurredAt = this.clock.now();
    const rows = changes.flatMap(({ ticketId, entries }) =>
      entries.map((entry) => ({
        ticketId,
        actorId,
        entry,
        metadata: notes ? { ...entry.metadata, notes } : entry.metadata,
      })),
    );
    const withEvents = changes
      .filter(({ events }) => events.length > 0)
      .map(({ ticketId, events }) => ({ ticketId, actorId, occurredAt, events }));
    // Followers are read now: the events say who followed the ticket when the change was made.
    const events = withEvents.length > 0 ? await this.withFollowerIds(manager, withEvents) : [];
    if (rows.length === 0 && events.length === 0) return;
    const pending = this.commitStatement.writerIn(manager, PendingAudit.name, () => new PendingAudit(this.sinks));
    if (pending) return pending.add(rows, events);
    const now = new PendingAudit(this.sinks);
    now.add(rows, events);
    await this.commitStatement.writeNow(manager, [now]);
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

/** One history row, with who made the change. */
interface HistoryRow {
  ticketId: string;
  actorId: string | null;
  entry: ChangeEntry;
  metadata: ChangeEntry['metadata'];
}

/** The history rows and events gathered for one statement, in the order they were recorded. */
class PendingAudit implements DeferredWriter {
  private readonly rows: HistoryRow[][] = [];
  private readonly events: AuditedEvents[][] = [];

  constructor(private readonly sinks: AuditSinks) {}

  add(rows: HistoryRow[], events: AuditedEvents[]): void {
    this.rows.push(rows);
    this.events.push(events);
  }

  compose(bind: BindParameter): StatementPart | null {
    const rows = this.rows.flat();
    const events = this.events.flat();
    const part: StatementPart = { tables: [], effects: [] };
    if (rows.length > 0) {
      // Column arrays rather than a VALUES row per entry: one short statement, whatever the batch size.
      part.tables.push(`ticket_history_written AS (
        INSERT INTO ticket_history (ticket_id, change_type, field_name, old_value, new_value, user_id, metadata)
        SELECT ticket_id, change_type, field_name, old_value, new_value, user_id, metadata
        FROM unnest(${bind(rows.map((row) => row.ticketId))}::uuid[], ${bind(rows.map((row) => row.entry.changeType))}::varchar[],
                    ${bind(rows.map((row) => row.entry.fieldName))}::varchar[], ${bind(rows.map((row) => row.entry.oldValue))}::text[],
                    ${bind(rows.map((row) => row.entry.newValue))}::text[], ${bind(rows.map((row) => row.actorId))}::uuid[],
                    ${bind(rows.map((row) => JSON.stringify(row.metadata)))}::jsonb[])
          AS entry(ticket_id, change_type, field_name, old_value, new_value, user_id, metadata)
      )`);
    }
    if (events.length > 0) {
      for (const sink of this.sinks.all) {
        const written = sink.write(events, bind);
        if (!written) continue;
        part.tables.push(...written.tables);
        part.effects.push(...written.effects);
      }
    }
    return part;
  }
}
