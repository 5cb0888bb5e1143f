import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { type Page, type PageQueryDto, pageOffset, toPage } from '../../common/http/pagination';
import { TicketsService } from '../tickets/tickets.service';
import type { HistoryEntryDto } from './history.dto';
import { TicketHistory } from './ticket-history.entity';

function toHistoryEntryDto(row: TicketHistory): HistoryEntryDto {
  return {
    id: row.id,
    ticket_id: row.ticketId,
    change_type: row.changeType,
    field_name: row.fieldName,
    old_value: row.oldValue,
    new_value: row.newValue,
    user_id: row.userId,
    created_at: row.createdAt.toISOString(),
    metadata: row.metadata,
  };
}

@Injectable()
export class HistoryService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly tickets: TicketsService,
  ) {}

  /** The audit trail of a ticket the caller may see, oldest first. */
  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<HistoryEntryDto>> {
    await this.tickets.findVisible(principal, ticketId);
    const qb = this.txHost.tx
      .getRepository(TicketHistory)
      .createQueryBuilder('h')
      .where('h.ticket_id = :ticketId', { ticketId })
      .orderBy('h.seq', 'ASC')
      .offset(pageOffset(query))
      .limit(query.page_size);
    // Rows about internal notes (and their attachments) are staff-only.
    if (!AccessPolicy.canSeeInternal(principal)) qb.andWhere(`NOT (h.metadata @> '{"internal": true}')`);
    const rows = await qb.getMany();
    const total = await qb.getCount();
    return toPage(rows.map(toHistoryEntryDto), total, query);
  }
}
