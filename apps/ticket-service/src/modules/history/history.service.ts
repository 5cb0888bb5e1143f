import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { findPage, type Page, type PageQueryDto } from '../../common/http/pagination';
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

/** Reads the audit trail; whoever calls has checked that the caller may see the ticket. */
@Injectable()
export class HistoryService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** A ticket's history, oldest first; rows about internal notes (and their attachments) only with `includeInternal`. */
  async listForTicket(
    ticketId: string,
    options: { includeInternal: boolean },
    query: PageQueryDto,
  ): Promise<Page<HistoryEntryDto>> {
    const rows = this.txHost.tx
      .getRepository(TicketHistory)
      .createQueryBuilder('h')
      .where('h.ticket_id = :ticketId', { ticketId })
      .orderBy('h.seq', 'ASC');
    if (!options.includeInternal) rows.andWhere(`NOT (h.metadata @> '{"internal": true}')`);
    return findPage(rows, query, (found) => found.map(toHistoryEntryDto));
  }
}
