import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HistoryChangeType } from '@ticketing/contracts';
import type { DataSource, EntitySubscriberInterface, InsertEvent, SoftRemoveEvent, UpdateEvent } from 'typeorm';
import { AuditTrail, type ChangeEntry } from '../history';
import { ticketChangeEntries } from './ticket-changes';
import { slaWarningEvents, ticketChangeEvents, ticketCreatedEvent } from './ticket-events';
import { Ticket } from './ticket.entity';

/**
 * The audit trail and outbox of tickets, written mechanically: every insert, update and soft delete of a
 * ticket gets its history rows and events in the same transaction as the change itself.
 */
@Injectable()
export class TicketAuditSubscriber implements EntitySubscriberInterface<Ticket> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly trail: AuditTrail,
  ) {
    dataSource.subscribers.push(this);
  }

  listenTo(): typeof Ticket {
    return Ticket;
  }

  async afterInsert(event: InsertEvent<Ticket>): Promise<void> {
    const ticket = event.entity;
    const created: ChangeEntry = {
      changeType: HistoryChangeType.CREATED,
      fieldName: null,
      oldValue: null,
      newValue: null,
      metadata: { status: ticket.status, priority: ticket.priority, title: ticket.title },
    };
    await this.trail.record(event.manager, ticket.id, [created], [ticketCreatedEvent(ticket)]);
  }

  async afterUpdate(event: UpdateEvent<Ticket>): Promise<void> {
    const before = event.databaseEntity;
    const after = event.entity as Ticket | undefined;
    // Audited tables are written only by saving loaded entities; anything else would lose its history.
    if (!before || !after) throw new Error('A ticket was updated without its loaded state; use save() on the entity');
    const entries = ticketChangeEntries(before, after);
    const events = [...ticketChangeEvents(entries, this.trail.actionNotes), ...slaWarningEvents(before, after)];
    await this.trail.record(event.manager, before.id, entries, events);
  }

  async afterSoftRemove(event: SoftRemoveEvent<Ticket>): Promise<void> {
    const ticket = event.entity ?? event.databaseEntity;
    const entries: ChangeEntry[] = [
      { changeType: HistoryChangeType.DELETED, fieldName: null, oldValue: null, newValue: null, metadata: {} },
    ];
    await this.trail.record(event.manager, ticket.id, entries, ticketChangeEvents(entries, null));
  }
}
