import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { EntityById } from '../../database/entity-by-id';
import { Ticket } from './ticket.entity';

/**
 * Loads a live ticket by id together with its followers, in one statement: whether a requester may see it
 * depends on them (AccessPolicy.canViewTicket), and every rule downstream works on the loaded row.
 */
@Injectable()
export class TicketFinder {
  private readonly byId: EntityById<Ticket>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.byId = new EntityById(dataSource, Ticket, {
      followerIds: 'ARRAY(SELECT f.user_id::text FROM ticket_followers f WHERE f.ticket_id = "tickets"."id")',
    });
  }

  find(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<Ticket | null> {
    return this.byId.find(manager, id, options);
  }

  /** Two tickets locked in id order, so two writers locking the same pair never wait for each other in a circle. */
  async lockPair(manager: EntityManager, first: string, second: string): Promise<[Ticket | null, Ticket | null]> {
    const [low, high] = first < second ? [first, second] : [second, first];
    const lowTicket = await this.find(manager, low, { lock: true });
    const highTicket = await this.find(manager, high, { lock: true });
    return first === low ? [lowTicket, highTicket] : [highTicket, lowTicket];
  }
}
