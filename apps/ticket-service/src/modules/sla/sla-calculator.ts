import type { SlaTarget } from '@ticketing/contracts';
import type { SlaTimeline } from './business-time';
import { SLA_WARNING_SHARE } from './sla-breach.sql';

const MINUTE_MS = 60_000;

/** The SLA clock of one ticket. */
export interface SlaClock {
  createdAt: Date;
  /** Creation, or the latest reopening: the resolution clock restarts then. */
  resolutionClockStartedAt: Date;
  /**
   * Seconds of the ticket's clock spent in PENDING_INFO since the resolution clock started (completed pauses
   * only): working seconds on a business-hours clock.
   */
  pausedSeconds: number;
  /** Set while the ticket waits in PENDING_INFO. */
  pendingSince: Date | null;
}

export interface SlaDueDates {
  responseDueAt: Date;
  resolutionDueAt: Date;
  /** When SLA_WARNING_SHARE of each target has passed on the ticket's clock (stored, so SQL only compares). */
  responseWarningAt: Date;
  resolutionWarningAt: Date;
}

/**
 * Due dates from the clock and the target, counted on `timeline` (round the clock, or a calendar's working
 * hours); a recomputation (priority change) keeps the paused time.
 */
export function computeDueDates(clock: SlaClock, target: SlaTarget, timeline: SlaTimeline): SlaDueDates {
  const responseDueAt = timeline.add(clock.createdAt, target.responseMinutes * MINUTE_MS);
  const resolutionDueAt = timeline.add(
    clock.resolutionClockStartedAt,
    target.resolutionMinutes * MINUTE_MS + clock.pausedSeconds * 1000,
  );
  return {
    responseDueAt,
    resolutionDueAt,
    responseWarningAt: slaWarningAt(clock.createdAt, responseDueAt, timeline),
    resolutionWarningAt: slaWarningAt(clock.resolutionClockStartedAt, resolutionDueAt, timeline),
  };
}

/** The first whole millisecond at which SLA_WARNING_SHARE of the clock from `start` to `due` has passed. */
export function slaWarningAt(start: Date, due: Date, timeline: SlaTimeline): Date {
  return timeline.add(start, Math.ceil(timeline.elapsedMs(start, due) * SLA_WARNING_SHARE));
}

/** Whole seconds of the ticket's clock in the pause that ends now. */
export function pauseSecondsEndingAt(pendingSince: Date, now: Date, timeline: SlaTimeline): number {
  return Math.floor(timeline.elapsedMs(pendingSince, now) / 1000);
}

/** A finished pause of `pausedSeconds` (on the ticket's clock) moves the resolution due date and warning later. */
export function resolutionAfterPause(
  clock: { resolutionClockStartedAt: Date; resolutionDueAt: Date },
  pausedSeconds: number,
  timeline: SlaTimeline,
): { resolutionDueAt: Date; resolutionWarningAt: Date } {
  const resolutionDueAt = timeline.add(clock.resolutionDueAt, pausedSeconds * 1000);
  return {
    resolutionDueAt,
    resolutionWarningAt: slaWarningAt(clock.resolutionClockStartedAt, resolutionDueAt, timeline),
  };
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
 * resolution due date keeps moving, so the running pause is added before comparing. That comparison is
 * `pendingSince > due` in disguise, so it holds for a business-hours clock too: a pause stops that clock as well.
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
  responseWarningAt: Date | null;
  resolutionWarningAt: Date | null;
}

/**
 * Past the stored warning instant of a target, not yet answered or resolved, and not yet due (after that it is
 * a breach). A paused resolution clock does not warn.
 */
export function computeWarnings(sla: SlaWarningSnapshot, now: Date): SlaBreaches {
  const past = (warningAt: Date | null, due: Date | null) =>
    warningAt !== null && due !== null && now.getTime() < due.getTime() && now.getTime() >= warningAt.getTime();
  return {
    response: sla.firstResponseAt === null && past(sla.responseWarningAt, sla.responseDueAt),
    resolution:
      sla.resolvedAt === null && sla.pendingSince === null && past(sla.resolutionWarningAt, sla.resolutionDueAt),
  };
}
