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
import { RequestContext } from '../../common/context/request-context';
import { Ticket } from '../tickets/ticket.entity';
import { type ChangeEntry, ticketChangeEntries } from './ticket-changes';
import { TicketHistory } from './ticket-history.entity';

/**
 * Writes the audit trail of tickets mechanically: every insert, update and soft delete of a ticket gets its
 * history rows through the event's manager, so they commit or roll back with the change itself. The actor
 * and the action's notes come from the request context (null actor = the system).
 */
@Injectable()
export class TicketAuditSubscriber implements EntitySubscriberInterface<Ticket> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly context: RequestContext,
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
  }

  async afterUpdate(event: UpdateEvent<Ticket>): Promise<void> {
    const before = event.databaseEntity;
    const after = event.entity as Ticket | undefined;
    // Audited tables are written only by saving loaded entities; anything else would lose its history.
    if (!before || !after) throw new Error('A ticket was updated without its loaded state; use save() on the entity');
    await this.write(event.manager, before.id, ticketChangeEntries(before, after));
  }

  async afterSoftRemove(event: SoftRemoveEvent<Ticket>): Promise<void> {
    const ticket = event.entity ?? event.databaseEntity;
    await this.write(event.manager, ticket.id, [
      { changeType: HistoryChangeType.DELETED, fieldName: null, oldValue: null, newValue: null, metadata: {} },
    ]);
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
}
