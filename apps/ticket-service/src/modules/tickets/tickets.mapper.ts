import { computeBreaches } from '../sla';
import type { TicketAlertDto, TicketDto } from './dto/ticket.dto';
import type { Ticket } from './ticket.entity';

export function formatTicketNumber(ticketNumber: number): string {
  return `TKT-${String(ticketNumber).padStart(6, '0')}`;
}

const TICKET_NUMBER = /^(?:TKT-)?0*(\d{1,15})$/i;

/** "TKT-000042", "tkt-42" or "42" → 42; null for anything else (and for 0, which no ticket has). */
export function parseTicketNumber(text: string): number | null {
  const match = TICKET_NUMBER.exec(text.trim());
  const value = match ? Number(match[1]) : 0;
  return value > 0 ? value : null;
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
    sla_clock: ticket.slaClock,
    sla_calendar_id: ticket.slaCalendarId,
    first_response_at: iso(ticket.firstResponseAt),
    resolved_at: iso(ticket.resolvedAt),
    closed_at: iso(ticket.closedAt),
    response_breached: breaches.response,
    resolution_breached: breaches.resolution,
    reopen_count: ticket.reopenCount,
    merged_into_id: ticket.mergedIntoId,
    version: ticket.version,
    alert: toTicketAlertDto(ticket),
    created_at: ticket.createdAt.toISOString(),
    updated_at: ticket.updatedAt.toISOString(),
  };
}

function toTicketAlertDto(ticket: Ticket): TicketAlertDto | null {
  if (ticket.alertFingerprint === null) return null;
  return {
    fingerprint: ticket.alertFingerprint,
    source: ticket.alertSource,
    labels: ticket.alertLabels ?? {},
    generator_url: ticket.alertGeneratorUrl,
    occurrences: ticket.alertOccurrences,
    last_alert_at: iso(ticket.lastAlertAt),
    resolved_at: iso(ticket.alertResolvedAt),
  };
}
