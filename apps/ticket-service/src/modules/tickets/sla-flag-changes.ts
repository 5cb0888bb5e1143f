import { HistoryChangeType } from '@ticketing/contracts';
import type { AuditEvent, ChangeEntry } from '../history';
import { computeBreaches, computeWarnings } from '../sla';
import { slaWarningEvents, ticketChangeEvents } from './ticket-events';
import type { Ticket } from './ticket.entity';

/** The once-only SLA facts the breach scanner records on a ticket. */
export type SlaFlags = Pick<
  Ticket,
  'responseBreachRecorded' | 'resolutionBreachRecorded' | 'responseWarningRecorded' | 'resolutionWarningRecorded'
>;

/** What the scanner reads of a claimed ticket: its SLA clock and the flags it already has. */
export type ScannedTicket = Parameters<typeof computeWarnings>[0] & SlaFlags & Pick<Ticket, 'id'>;

/** The flags a scan turns true on one ticket, with the history rows and events that record them. */
export interface SlaFlagChange {
  ticketId: string;
  flags: SlaFlags;
  entries: ChangeEntry[];
  events: AuditEvent[];
}

const SLA_FLAGS = [
  'responseBreachRecorded',
  'resolutionBreachRecorded',
  'responseWarningRecorded',
  'resolutionWarningRecorded',
] as const satisfies readonly (keyof SlaFlags)[];

const BREACH_KINDS = [
  ['responseBreachRecorded', 'response'],
  ['resolutionBreachRecorded', 'resolution'],
] as const satisfies readonly (readonly [keyof SlaFlags, string])[];

/**
 * One SLA_BREACH row per breach flag turning true, as ticketChangeEntries() writes it when a saved ticket's flag
 * turns true (sla-flag-changes.spec.ts holds the two together).
 */
export function slaBreachEntries(before: SlaFlags, after: SlaFlags): ChangeEntry[] {
  return BREACH_KINDS.filter(([flag]) => !before[flag] && after[flag]).map(([, kind]) => ({
    changeType: HistoryChangeType.SLA_BREACH,
    fieldName: null,
    oldValue: null,
    newValue: null,
    metadata: { kind },
  }));
}

/**
 * What a scan at `now` records on `ticket` (a flag, once set, stays), or null when nothing is new. The events are
 * those the audit subscriber derives from a saved change of these flags; `notes` are the action's notes.
 */
export function slaFlagChange(ticket: ScannedTicket, now: Date, notes: string | null): SlaFlagChange | null {
  const breaches = computeBreaches(ticket, now);
  const warnings = computeWarnings(ticket, now);
  const flags: SlaFlags = {
    responseBreachRecorded: ticket.responseBreachRecorded || breaches.response,
    resolutionBreachRecorded: ticket.resolutionBreachRecorded || breaches.resolution,
    responseWarningRecorded: ticket.responseWarningRecorded || warnings.response,
    resolutionWarningRecorded: ticket.resolutionWarningRecorded || warnings.resolution,
  };
  if (SLA_FLAGS.every((flag) => flags[flag] === ticket[flag])) return null;
  const entries = slaBreachEntries(ticket, flags);
  return {
    ticketId: ticket.id,
    flags,
    entries,
    events: [...ticketChangeEvents(entries, notes), ...slaWarningEvents(ticket, flags)],
  };
}
