import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { EventDto, EventFeedDto, EventFeedQueryDto } from './dto/event.dto';
import { OutboxEvent } from './outbox-event.entity';

export function toEventDto(event: OutboxEvent): EventDto {
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt.toISOString(),
    ticket_id: event.ticketId,
    actor_id: event.actorId,
    internal: event.internal,
    data: event.data as Record<string, unknown>,
  };
}

@Injectable()
export class EventsService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /**
   * The change feed, oldest first. Events of transactions that may still commit are held back (their xid
   * is not below the oldest running transaction), so a reader that moves its cursor past an event can never
   * later meet an older one: the feed has no gaps.
   */
  async feed(query: EventFeedQueryDto): Promise<EventFeedDto> {
    const after = query.after ?? '0';
    const events = await this.txHost.tx
      .getRepository(OutboxEvent)
      .createQueryBuilder('e')
      .where('e.seq > :after', { after })
      .andWhere('e.xid < pg_snapshot_xmin(pg_current_snapshot())')
      .orderBy('e.seq', 'ASC')
      .limit(query.limit)
      .getMany();
    return { items: events.map(toEventDto), next_cursor: events.length > 0 ? events[events.length - 1].seq : after };
  }
}
