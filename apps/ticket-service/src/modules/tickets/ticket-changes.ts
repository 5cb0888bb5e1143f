import { HistoryChangeType, TicketStatus } from '@ticketing/contracts';
import type { ChangeEntry, HistoryMetadata } from '../history';
import type { Ticket } from './ticket.entity';

/** Audited ticket fields and their wire names; everything else is derived or bookkeeping. */
const UPDATE_FIELDS = {
  title: 'title',
  description: 'description',
  category: 'category',
  environment: 'environment',
  affectedService: 'affected_service',
  impactLevel: 'impact_level',
  tags: 'tags',
  // One row per repeat firing of the ticket's alert (old and new count), never a comment.
  alertOccurrences: 'alert_occurrences',
} as const satisfies Partial<Record<keyof Ticket, string>>;

/** Recorded by the breach scanner; the flag turning true is the SLA_BREACH of that kind. */
const BREACH_FLAGS = { responseBreachRecorded: 'response', resolutionBreachRecorded: 'resolution' } as const;

type AuditedTicket = Pick<
  Ticket,
  | 'status'
  | 'priority'
  | 'assigneeId'
  | 'teamId'
  | 'resolutionNotes'
  | keyof typeof BREACH_FLAGS
  | keyof typeof UPDATE_FIELDS
>;

/** The status a ticket enters decides the history row's change type. */
export function statusChangeType(to: TicketStatus): HistoryChangeType {
  switch (to) {
    case TicketStatus.RESOLVED:
      return HistoryChangeType.RESOLVED;
    case TicketStatus.CLOSED:
      return HistoryChangeType.CLOSED;
    case TicketStatus.REOPENED:
      return HistoryChangeType.REOPENED;
    case TicketStatus.ESCALATED:
      return HistoryChangeType.ESCALATED;
    case TicketStatus.NEW:
    case TicketStatus.OPEN:
    case TicketStatus.IN_PROGRESS:
    case TicketStatus.PENDING_INFO:
      return HistoryChangeType.STATUS_CHANGE;
  }
}

function text(value: string | number | readonly string[] | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

type FieldValue = Parameters<typeof text>[0];

function entry(
  changeType: HistoryChangeType,
  fieldName: string,
  before: FieldValue,
  after: FieldValue,
  metadata: HistoryMetadata = {},
): ChangeEntry {
  return { changeType, fieldName, oldValue: text(before), newValue: text(after), metadata };
}

/**
 * The history rows one update of a ticket deserves, field by field: a pure diff of the audited columns.
 * It decides nothing; it only names what changed.
 */
export function ticketChangeEntries(before: AuditedTicket, after: AuditedTicket): ChangeEntry[] {
  const entries: ChangeEntry[] = [];
  if (before.status !== after.status) {
    const metadata: HistoryMetadata =
      after.status === TicketStatus.RESOLVED && after.resolutionNotes
        ? { resolution_notes: after.resolutionNotes }
        : {};
    entries.push(entry(statusChangeType(after.status), 'status', before.status, after.status, metadata));
  }
  if (before.priority !== after.priority)
    entries.push(entry(HistoryChangeType.PRIORITY_CHANGE, 'priority', before.priority, after.priority));
  if (before.assigneeId !== after.assigneeId)
    entries.push(entry(HistoryChangeType.ASSIGNMENT_CHANGE, 'assignee_id', before.assigneeId, after.assigneeId));
  if (before.teamId !== after.teamId)
    entries.push(entry(HistoryChangeType.ASSIGNMENT_CHANGE, 'team_id', before.teamId, after.teamId));
  for (const [property, kind] of Object.entries(BREACH_FLAGS) as [keyof typeof BREACH_FLAGS, string][]) {
    if (!before[property] && after[property])
      entries.push({
        changeType: HistoryChangeType.SLA_BREACH,
        fieldName: null,
        oldValue: null,
        newValue: null,
        metadata: { kind },
      });
  }
  for (const [property, fieldName] of Object.entries(UPDATE_FIELDS) as [keyof typeof UPDATE_FIELDS, string][]) {
    if (text(before[property]) !== text(after[property])) {
      entries.push(entry(HistoryChangeType.UPDATE, fieldName, before[property], after[property]));
    }
  }
  return entries;
}
