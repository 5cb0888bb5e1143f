import { allowedTransitions, canTransition, ErrorCode, Role, type SlaTarget, TicketStatus } from '@ticketing/contracts';
import { type Principal, ROLE_RANK } from '../../common/auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { computeDueDates, pauseSecondsEndingAt, resolutionAfterPause, type SlaTimeline } from '../sla';
import type { Ticket } from './ticket.entity';

const DAY_MS = 86_400_000;

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (!canTransition(from, to)) {
    const allowed = allowedTransitions(from);
    throw new DomainError(
      ErrorCode.INVALID_STATUS_TRANSITION,
      `Cannot move a ${from} ticket to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
    );
  }
}

/** Editing, assigning and commenting stop at CLOSED; only a reopen leaves it. */
export function assertNotClosed(ticket: Pick<Ticket, 'status'>): void {
  if (ticket.status === TicketStatus.CLOSED) {
    throw new DomainError(ErrorCode.TICKET_CLOSED, 'The ticket is closed; reopen it first');
  }
}

/** A first response comes from staff (DEVOPS_ENGINEER or above) who did not report the ticket. */
export function countsAsFirstResponse(principal: Principal, ticket: Pick<Ticket, 'reporterId'>): boolean {
  return ROLE_RANK[principal.role] >= ROLE_RANK[Role.DEVOPS_ENGINEER] && principal.id !== ticket.reporterId;
}

/** The first response, and how long it took on the ticket's clock. */
export function recordFirstResponse(ticket: Ticket, principal: Principal, now: Date, timeline: SlaTimeline): void {
  if (ticket.firstResponseAt === null && countsAsFirstResponse(principal, ticket)) {
    ticket.firstResponseAt = now;
    ticket.timeToFirstResponseSeconds = timeline.elapsedMs(ticket.createdAt, now) / 1000;
  }
}

export interface StatusMove {
  to: TicketStatus;
  by: Principal;
  now: Date;
  /** The SLA target of the ticket's priority; null when SLA tracking is off. */
  slaTarget: SlaTarget | null;
  /** The ticket's clock: pauses and durations count on it. */
  timeline: SlaTimeline;
  resolutionNotes?: string | null;
}

/**
 * Moves a ticket to a new status with every side effect the workflow defines: timestamps, the
 * PENDING_INFO pause of the resolution clock, the reopen reset, and the first response.
 * The caller has checked permissions; the transition itself is checked here.
 */
export function moveStatus(ticket: Ticket, move: StatusMove): void {
  assertTransition(ticket.status, move.to);
  enterStatus(ticket, move);
}

/**
 * The side effects of entering a status, without the workflow check: for a merge, which closes its source
 * from any open status.
 */
export function enterStatus(ticket: Ticket, move: StatusMove): void {
  const { to, now, timeline } = move;
  if (ticket.status === TicketStatus.NEW) recordFirstResponse(ticket, move.by, now, timeline);

  if (ticket.status === TicketStatus.PENDING_INFO && ticket.pendingSince) {
    const paused = pauseSecondsEndingAt(ticket.pendingSince, now, timeline);
    ticket.pausedSeconds += paused;
    if (ticket.resolutionDueAt) {
      Object.assign(
        ticket,
        resolutionAfterPause(
          { resolutionClockStartedAt: ticket.resolutionClockStartedAt, resolutionDueAt: ticket.resolutionDueAt },
          paused,
          timeline,
        ),
      );
    }
    ticket.pendingSince = null;
  }
  if (to === TicketStatus.PENDING_INFO) ticket.pendingSince = now;

  switch (to) {
    case TicketStatus.RESOLVED:
      ticket.resolvedAt = now;
      ticket.timeToResolutionSeconds = timeline.elapsedMs(ticket.createdAt, now) / 1000;
      if (move.resolutionNotes) ticket.resolutionNotes = move.resolutionNotes;
      break;
    case TicketStatus.CLOSED:
      ticket.closedAt = now;
      break;
    case TicketStatus.REOPENED:
      ticket.reopenCount += 1;
      ticket.resolvedAt = null;
      ticket.timeToResolutionSeconds = null;
      ticket.closedAt = null;
      ticket.resolutionNotes = null;
      ticket.resolutionClockStartedAt = now;
      ticket.pausedSeconds = 0;
      if (move.slaTarget) {
        const { resolutionDueAt, resolutionWarningAt } = computeDueDates(ticket, move.slaTarget, timeline);
        Object.assign(ticket, { resolutionDueAt, resolutionWarningAt });
      }
      break;
    case TicketStatus.NEW:
    case TicketStatus.OPEN:
    case TicketStatus.IN_PROGRESS:
    case TicketStatus.PENDING_INFO:
    case TicketStatus.ESCALATED:
      break;
  }
  ticket.status = to;
}

/** A ticket closed longer ago than the window can no longer be reopened. */
export function assertReopenable(
  ticket: Pick<Ticket, 'status' | 'closedAt'> & { mergedIntoId?: string | null },
  now: Date,
  windowDays: number,
): void {
  if (ticket.mergedIntoId) {
    throw new DomainError(
      ErrorCode.CONFLICT,
      `The ticket was merged into ${ticket.mergedIntoId}; reopen that ticket instead`,
    );
  }
  if (
    ticket.status === TicketStatus.CLOSED &&
    ticket.closedAt &&
    now.getTime() - ticket.closedAt.getTime() > windowDays * DAY_MS
  ) {
    throw new DomainError(
      ErrorCode.REOPEN_WINDOW_EXPIRED,
      `The ticket was closed more than ${windowDays} days ago and can no longer be reopened`,
    );
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

/** Did any column of the ticket change? */
export function hasChanged(before: Ticket, after: Ticket): boolean {
  return (Object.keys(after) as (keyof Ticket)[]).some((key) => !sameValue(before[key], after[key]));
}

/**
 * What a new comment does to its ticket: a public staff comment by someone other than the reporter is the
 * first response, and the reporter answering a PENDING_INFO ticket sends it back to IN_PROGRESS.
 */
export function applyCommentToTicket(
  ticket: Ticket,
  by: Principal,
  isInternal: boolean,
  now: Date,
  timeline: SlaTimeline,
): void {
  if (!isInternal) recordFirstResponse(ticket, by, now, timeline);
  if (ticket.status === TicketStatus.PENDING_INFO && by.id === ticket.reporterId && !isInternal) {
    moveStatus(ticket, { to: TicketStatus.IN_PROGRESS, by, now, slaTarget: null, timeline });
  }
}
