import { computeBreaches } from '../sla';
import type { TicketDto } from './dto/ticket.dto';
import type { Ticket } from './ticket.entity';

export function formatTicketNumber(ticketNumber: number): string {
  return `TKT-${String(ticketNumber).padStart(6, '0')}`;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** Ticket → wire format; breach flags are computed for `now`, so they are true even between scanner runs. */
export function toTicketDto(ticket: Ticket, now: Date): TicketDto {
  const breaches = computeBreaches(ticket, now);
  return {
    id: ticket.id,
    ticket_number: formatTicketNumber(ticket.ticketNumber),
    title: ticket.title,
    description: ticket.description,
    category: ticket.category,
    priority: ticket.priority,
    status: ticket.status,
    environment: ticket.environment,
    affected_service: ticket.affectedService,
    impact_level: ticket.impactLevel,
    tags: ticket.tags,
    reporter_id: ticket.reporterId,
    assignee_id: ticket.assigneeId,
    team_id: ticket.teamId,
    resolution_notes: ticket.resolutionNotes,
    response_due_at: iso(ticket.responseDueAt),
    resolution_due_at: iso(ticket.resolutionDueAt),
    first_response_at: iso(ticket.firstResponseAt),
    resolved_at: iso(ticket.resolvedAt),
    closed_at: iso(ticket.closedAt),
    response_breached: breaches.response,
    resolution_breached: breaches.resolution,
    reopen_count: ticket.reopenCount,
    merged_into_id: ticket.mergedIntoId,
    version: ticket.version,
    created_at: ticket.createdAt.toISOString(),
    updated_at: ticket.updatedAt.toISOString(),
  };
}
