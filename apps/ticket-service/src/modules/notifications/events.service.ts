import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { EventDto, EventFeedDto, EventFeedQueryDto } from './dto/event.dto';
import { OutboxEvent } from './outbox-event.entity';

/** What an envelope is made of: an outbox row without its feed position. */
export type EnvelopeSource = Omit<OutboxEvent, 'seq'>;

export function toEventDto(event: EnvelopeSource): EventDto {
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
   * The change feed, oldest first, in (transaction id, seq) order. Only events of transactions older than
   * the oldest one still running are served: every event that can still appear belongs to a transaction at
   * least that new, so it sorts after anything already served and a reader's cursor never skips it.
   */
  async feed(query: EventFeedQueryDto): Promise<EventFeedDto> {
    const [xid, seq] = (query.after ?? '0:0').split(':');
    const rows = await this.txHost.tx
      .getRepository(OutboxEvent)
      .createQueryBuilder('e')
      .addSelect('e.xid::text', 'cursor_xid')
      .where('(e.xid, e.seq) > (:xid::xid8, :seq::bigint)', { xid, seq })
      .andWhere('e.xid < pg_snapshot_xmin(pg_current_snapshot())')
      .orderBy('e.xid', 'ASC')
      .addOrderBy('e.seq', 'ASC')
      .limit(query.limit)
      .getRawAndEntities<{ cursor_xid: string }>();
    const last = rows.entities.length - 1;
    const nextCursor = last >= 0 ? `${rows.raw[last].cursor_xid}:${rows.entities[last].seq}` : (query.after ?? '0:0');
    return { items: rows.entities.map(toEventDto), next_cursor: nextCursor };
  }
}
