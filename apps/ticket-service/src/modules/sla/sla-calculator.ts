import type { SlaTarget } from '@ticketing/contracts';

const MINUTE_MS = 60_000;

/** The SLA clock of one ticket. */
export interface SlaClock {
  createdAt: Date;
  /** Creation, or the latest reopening: the resolution clock restarts then. */
  resolutionClockStartedAt: Date;
  /** Seconds spent in PENDING_INFO since the resolution clock started (completed pauses only). */
  pausedSeconds: number;
  /** Set while the ticket waits in PENDING_INFO. */
  pendingSince: Date | null;
}

export interface SlaDueDates {
  responseDueAt: Date;
  resolutionDueAt: Date;
}

/** Due dates from the clock and the target; a recomputation (priority change) keeps the paused time. */
export function computeDueDates(clock: SlaClock, target: SlaTarget): SlaDueDates {
  return {
    responseDueAt: new Date(clock.createdAt.getTime() + target.responseMinutes * MINUTE_MS),
    resolutionDueAt: new Date(
      clock.resolutionClockStartedAt.getTime() + target.resolutionMinutes * MINUTE_MS + clock.pausedSeconds * 1000,
    ),
  };
}

/** Whole seconds of the pause that ends now. */
export function pauseSecondsEndingAt(pendingSince: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - pendingSince.getTime()) / 1000));
}

export interface SlaSnapshot {
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  pendingSince: Date | null;
}

export interface SlaBreaches {
  response: boolean;
  resolution: boolean;
}

/**
 * Breached = no answer by the due date, or a late one. While the ticket waits in PENDING_INFO its
 * resolution due date keeps moving, so the running pause is added before comparing.
 */
export function computeBreaches(sla: SlaSnapshot, now: Date): SlaBreaches {
  const response = sla.responseDueAt !== null && (sla.firstResponseAt ?? now).getTime() > sla.responseDueAt.getTime();
  let resolution = false;
  if (sla.resolutionDueAt !== null) {
    const runningPauseMs =
      sla.resolvedAt === null && sla.pendingSince !== null ? now.getTime() - sla.pendingSince.getTime() : 0;
    resolution = (sla.resolvedAt ?? now).getTime() > sla.resolutionDueAt.getTime() + runningPauseMs;
  }
  return { response, resolution };
}

export interface SlaWarningSnapshot extends SlaSnapshot {
  createdAt: Date;
  resolutionClockStartedAt: Date;
}

/**
 * Past `share` of a target, not yet answered or resolved, and not yet due (after that it is a breach).
 * A paused resolution clock does not warn.
 */
export function computeWarnings(sla: SlaWarningSnapshot, now: Date, share: number): SlaBreaches {
  const past = (start: Date, due: Date) =>
    now.getTime() < due.getTime() && now.getTime() >= start.getTime() + (due.getTime() - start.getTime()) * share;
  return {
    response: sla.responseDueAt !== null && sla.firstResponseAt === null && past(sla.createdAt, sla.responseDueAt),
    resolution:
      sla.resolutionDueAt !== null &&
      sla.resolvedAt === null &&
      sla.pendingSince === null &&
      past(sla.resolutionClockStartedAt, sla.resolutionDueAt),
  };
}
