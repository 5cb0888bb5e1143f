import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HistoryChangeType } from '@ticketing/contracts';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  InsertEvent,
  SoftRemoveEvent,
  UpdateEvent,
} from 'typeorm';
import { Clock } from '../../common/clock';
import { RequestContext } from '../../common/context/request-context';
import { OutboxEvent } from '../notifications/outbox-event.entity';
import { type PendingEvent, ticketChangeEvents, ticketCreatedEvent } from '../notifications/ticket-events';
import { Ticket } from '../tickets/ticket.entity';
import { type ChangeEntry, ticketChangeEntries } from './ticket-changes';
import { TicketHistory } from './ticket-history.entity';

/**
 * Writes the audit trail and the outbox of tickets mechanically: every insert, update and soft delete of a
 * ticket gets its history rows and its events through the event's manager, so they commit or roll back with
 * the change itself. The actor and the action's notes come from the request context (null actor = the system).
 */
@Injectable()
export class TicketAuditSubscriber implements EntitySubscriberInterface<Ticket> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {
    dataSource.subscribers.push(this);
  }

  listenTo(): typeof Ticket {
    return Ticket;
  }

  async afterInsert(event: InsertEvent<Ticket>): Promise<void> {
    const ticket = event.entity;
    await this.write(event.manager, ticket.id, [
      {
        changeType: HistoryChangeType.CREATED,
        fieldName: null,
        oldValue: null,
        newValue: null,
        metadata: { status: ticket.status, priority: ticket.priority, title: ticket.title },
      },
    ]);
    await this.emit(event.manager, ticket.id, [ticketCreatedEvent(ticket)]);
  }

  async afterUpdate(event: UpdateEvent<Ticket>): Promise<void> {
    const before = event.databaseEntity;
    const after = event.entity as Ticket | undefined;
    // Audited tables are written only by saving loaded entities; anything else would lose its history.
    if (!before || !after) throw new Error('A ticket was updated without its loaded state; use save() on the entity');
    const entries = ticketChangeEntries(before, after);
    await this.write(event.manager, before.id, entries);
    await this.emit(event.manager, before.id, ticketChangeEvents(entries, this.context.actionNotes));
  }

  async afterSoftRemove(event: SoftRemoveEvent<Ticket>): Promise<void> {
    const ticket = event.entity ?? event.databaseEntity;
    const entries: ChangeEntry[] = [
      { changeType: HistoryChangeType.DELETED, fieldName: null, oldValue: null, newValue: null, metadata: {} },
    ];
    await this.write(event.manager, ticket.id, entries);
    await this.emit(event.manager, ticket.id, ticketChangeEvents(entries, null));
  }

  private async write(manager: EntityManager, ticketId: string, entries: ChangeEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const userId = this.context.actor?.id ?? null;
    const notes = this.context.actionNotes;
    const rows = entries.map((entry) => ({
      ...entry,
      ticketId,
      userId,
      metadata: notes ? { ...entry.metadata, notes } : entry.metadata,
    }));
    const repository = manager.getRepository(TicketHistory);
    await repository.insert(repository.create(rows));
  }

  private async emit(manager: EntityManager, ticketId: string, events: PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const occurredAt = this.clock.now();
    const actorId = this.context.actor?.id ?? null;
    const repository = manager.getRepository(OutboxEvent);
    await repository.insert(
      repository.create(events.map((event) => ({ ...event, ticketId, actorId, occurredAt, internal: false }))),
    );
  }
}
