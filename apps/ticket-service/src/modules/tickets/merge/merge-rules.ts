import { ErrorCode, TicketStatus } from '@ticketing/contracts';
import { DomainError } from '../../../common/errors/domain-error';
import type { Ticket } from '../ticket.entity';
import { formatTicketNumber } from '../tickets.mapper';

type MergeFacts = Pick<Ticket, 'id' | 'ticketNumber' | 'status' | 'mergedIntoId'>;

/**
 * A merge folds an open ticket into another open one. A closed target (merged ones are closed) would hide the
 * source's people and comments behind a ticket nobody works; a merged source is already gone — which is also
 * what the loser of two concurrent merges of one source meets.
 */
export function assertMergeable(source: MergeFacts, target: MergeFacts): void {
  const name = (ticket: MergeFacts) => formatTicketNumber(ticket.ticketNumber);
  if (source.mergedIntoId)
    throw new DomainError(ErrorCode.CONFLICT, `${name(source)} was merged into ${source.mergedIntoId} already`);
  if (source.status === TicketStatus.CLOSED)
    throw new DomainError(ErrorCode.TICKET_CLOSED, `${name(source)} is closed; reopen it before merging it`);
  if (target.mergedIntoId)
    throw new DomainError(
      ErrorCode.CONFLICT,
      `${name(target)} was itself merged into ${target.mergedIntoId}: merge into that ticket instead`,
    );
  if (target.status === TicketStatus.CLOSED)
    throw new DomainError(ErrorCode.TICKET_CLOSED, `Cannot merge into ${name(target)}: it is closed`);
}
