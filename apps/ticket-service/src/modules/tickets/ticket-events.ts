import { HistoryChangeType, TicketEventType } from '@ticketing/contracts';
import type { AuditEvent, ChangeEntry } from '../history';
import type { Ticket } from './ticket.entity';
import { formatTicketNumber } from './tickets.mapper';

type Changes = Record<string, { old: string | null; new: string | null }>;

/** The ticket as events describe it on creation. */
export function ticketCreatedEvent(ticket: Ticket): AuditEvent {
  return {
    type: TicketEventType.TICKET_CREATED,
    data: {
      ticket_number: formatTicketNumber(ticket.ticketNumber),
      title: ticket.title,
      status: ticket.status,
      priority: ticket.priority,
      category: ticket.category,
      reporter_id: ticket.reporterId,
      assignee_id: ticket.assigneeId,
      team_id: ticket.teamId,
    },
  };
}

/**
 * The events one saved change of a ticket produces, derived from its history entries: at most one event per
 * type (field changes are grouped), so subscribers see one "updated" per save, not one per field.
 */
export function ticketChangeEvents(entries: readonly ChangeEntry[], notes: string | null): AuditEvent[] {
  const updated: Changes = {};
  const assigned: Changes = {};
  const events: AuditEvent[] = [];
  for (const entry of entries) {
    const change = { old: entry.oldValue, new: entry.newValue };
    switch (entry.changeType) {
      case HistoryChangeType.STATUS_CHANGE:
      case HistoryChangeType.RESOLVED:
      case HistoryChangeType.CLOSED:
      case HistoryChangeType.REOPENED:
      case HistoryChangeType.ESCALATED:
        events.push({
          type: TicketEventType.TICKET_STATUS_CHANGED,
          data: { from: entry.oldValue, to: entry.newValue, notes },
        });
        break;
      case HistoryChangeType.ASSIGNMENT_CHANGE:
        assigned[entry.fieldName ?? 'assignee_id'] = change;
        break;
      case HistoryChangeType.UPDATE:
      case HistoryChangeType.PRIORITY_CHANGE:
        updated[entry.fieldName ?? 'unknown'] = change;
        break;
      case HistoryChangeType.SLA_BREACH:
        events.push({ type: TicketEventType.SLA_BREACHED, data: { ...entry.metadata } });
        break;
      case HistoryChangeType.DELETED:
        events.push({ type: TicketEventType.TICKET_DELETED, data: {} });
        break;
      case HistoryChangeType.CREATED:
      case HistoryChangeType.COMMENT_ADDED:
      case HistoryChangeType.COMMENT_UPDATED:
      case HistoryChangeType.COMMENT_DELETED:
      case HistoryChangeType.ATTACHMENT_ADDED:
      case HistoryChangeType.ATTACHMENT_DELETED:
      case HistoryChangeType.LINK_ADDED:
      case HistoryChangeType.LINK_REMOVED:
      case HistoryChangeType.FOLLOWER_ADDED:
      case HistoryChangeType.FOLLOWER_REMOVED:
      case HistoryChangeType.MERGED:
      case HistoryChangeType.COMMENT_MOVED:
      case HistoryChangeType.ATTACHMENT_MOVED:
        // Links, followers and merges write their own events, together with these rows.
        break;
    }
  }
  if (Object.keys(assigned).length > 0)
    events.push({ type: TicketEventType.TICKET_ASSIGNED, data: { changes: assigned, notes } });
  if (Object.keys(updated).length > 0)
    events.push({ type: TicketEventType.TICKET_UPDATED, data: { changes: updated } });
  return events;
}

/** sla.warning events: a warning flag turning true (set by the scanner) is the warning of that kind. */
export function slaWarningEvents(
  before: Pick<Ticket, 'responseWarningRecorded' | 'resolutionWarningRecorded'>,
  after: Pick<Ticket, 'responseWarningRecorded' | 'resolutionWarningRecorded'>,
): AuditEvent[] {
  const events: AuditEvent[] = [];
  if (!before.responseWarningRecorded && after.responseWarningRecorded)
    events.push({ type: TicketEventType.SLA_WARNING, data: { kind: 'response' } });
  if (!before.resolutionWarningRecorded && after.resolutionWarningRecorded)
    events.push({ type: TicketEventType.SLA_WARNING, data: { kind: 'resolution' } });
  return events;
}
