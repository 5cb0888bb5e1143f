import { TicketStatus, type TicketEnvironment, type TicketPriority } from '@ticketing/contracts';
import type { Ticket } from './ticket.entity';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A firing alert as the alerts module maps it: the ticket fields it asks for and the alert facts to keep. */
export interface FiringAlert {
  fingerprint: string;
  source: string | null;
  labels: Record<string, string>;
  generatorUrl: string | null;
  ticket: {
    title: string;
    description: string;
    priority: TicketPriority;
    environment: TicketEnvironment | null;
    affectedService: string | null;
    tags: string[];
    teamId: string | null;
  };
}

export interface AlertWindows {
  /** ALERT_REOPEN_WINDOW_MINUTES: a firing this soon after the previous ticket ended reopens it. */
  reopenWindowMinutes: number;
  /** TICKET_REOPEN_WINDOW_DAYS: a closed ticket older than this cannot be reopened at all. */
  ticketReopenWindowDays: number;
}

/** What a firing does when no open ticket has its fingerprint. */
export type AlertFiringPlan = { kind: 'reopen'; ticket: Ticket } | { kind: 'create'; previous: Ticket | null };

/**
 * A firing after the fingerprint's last ticket ended: reopen that ticket when it ended (resolved, or closed
 * without a resolution) at most `reopenWindowMinutes` ago — the same incident flapping — otherwise open a new
 * ticket that links to it.
 */
export function planAlertFiring(previous: Ticket | null, now: Date, windows: AlertWindows): AlertFiringPlan {
  if (previous === null) return { kind: 'create', previous: null };
  const endedAt = previous.resolvedAt ?? previous.closedAt;
  const withinAlertWindow =
    endedAt !== null && now.getTime() - endedAt.getTime() <= windows.reopenWindowMinutes * MINUTE_MS;
  const reopenable =
    previous.status !== TicketStatus.CLOSED ||
    (previous.closedAt !== null &&
      now.getTime() - previous.closedAt.getTime() <= windows.ticketReopenWindowDays * DAY_MS);
  return withinAlertWindow && reopenable ? { kind: 'reopen', ticket: previous } : { kind: 'create', previous };
}

/** The description of a new ticket for an alert that had one before: it names the previous ticket. */
export function describeWithPrevious(
  description: string,
  previous: { ticketNumber: string; id: string } | null,
): string {
  if (previous === null) return description;
  return `${description}\n\nThis alert fired before: previous ticket ${previous.ticketNumber} (${previous.id}).`;
}
