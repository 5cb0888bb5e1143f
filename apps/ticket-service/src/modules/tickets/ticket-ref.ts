import type { TicketStatus } from '@ticketing/contracts';
import type { Ticket } from './ticket.entity';

/** What other modules may know of a ticket: the facts their access decisions and rules need. */
export interface TicketRef {
  readonly id: string;
  readonly reporterId: string;
  readonly assigneeId: string | null;
  readonly teamId: string | null;
  readonly status: TicketStatus;
  readonly followerIds: readonly string[];
}

export function toTicketRef(ticket: Ticket): TicketRef {
  return {
    id: ticket.id,
    reporterId: ticket.reporterId,
    assigneeId: ticket.assigneeId,
    teamId: ticket.teamId,
    status: ticket.status,
    followerIds: ticket.followerIds ?? [],
  };
}
