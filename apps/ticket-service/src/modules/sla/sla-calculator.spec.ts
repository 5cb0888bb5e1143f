import { DEFAULT_SLA_TARGETS, TicketPriority } from '@ticketing/contracts';
import { businessTimeline, ROUND_THE_CLOCK } from './business-time';
import {
  computeBreaches,
  computeDueDates,
  computeWarnings,
  pauseSecondsEndingAt,
  resolutionAfterPause,
  type SlaClock,
} from './sla-calculator';

const at = (iso: string): Date => new Date(iso);
const HOUR = 3_600_000;

describe('SLA calculator', () => {
  const created = at('2026-03-01T10:00:00Z');
  const fresh: SlaClock = {
    createdAt: created,
    resolutionClockStartedAt: created,
    pausedSeconds: 0,
    pendingSince: null,
  };

  it.each([
    [TicketPriority.P1, 1, 4],
    [TicketPriority.P2, 4, 24],
    [TicketPriority.P3, 8, 72],
    [TicketPriority.P4, 24, 168],
  ])('computes %s due dates from creation', (priority, responseHours, resolutionHours) => {
    const due = computeDueDates(fresh, DEFAULT_SLA_TARGETS[priority], ROUND_THE_CLOCK);
    expect(due.responseDueAt.getTime() - created.getTime()).toBe(responseHours * HOUR);
    expect(due.resolutionDueAt.getTime() - created.getTime()).toBe(resolutionHours * HOUR);
  });

  it('keeps paused time when the priority changes', () => {
    const paused = { ...fresh, pausedSeconds: 2 * 3600 };
    const due = computeDueDates(paused, DEFAULT_SLA_TARGETS[TicketPriority.P2], ROUND_THE_CLOCK);
    expect(due.resolutionDueAt.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect(due.responseDueAt.toISOString()).toBe('2026-03-01T14:00:00.000Z');
  });

  it('restarts the resolution clock from a reopening', () => {
    const reopened = { ...fresh, resolutionClockStartedAt: at('2026-03-05T09:00:00Z') };
    expect(
      computeDueDates(reopened, DEFAULT_SLA_TARGETS[TicketPriority.P1], ROUND_THE_CLOCK).resolutionDueAt.toISOString(),
    ).toBe('2026-03-05T13:00:00.000Z');
  });

  it('measures a pause in whole seconds', () => {
    expect(pauseSecondsEndingAt(at('2026-03-01T10:00:00Z'), at('2026-03-01T10:30:00.900Z'), ROUND_THE_CLOCK)).toBe(
      1800,
    );
  });

  describe('breaches', () => {
    const due = { responseDueAt: at('2026-03-01T11:00:00Z'), resolutionDueAt: at('2026-03-01T14:00:00Z') };
    const open = { ...due, firstResponseAt: null, resolvedAt: null, pendingSince: null };

    it('is not breached before the due dates', () => {
      expect(computeBreaches(open, at('2026-03-01T10:59:59Z'))).toEqual({ response: false, resolution: false });
    });

    it('is response-breached with no first response after the due date', () => {
      expect(computeBreaches(open, at('2026-03-01T11:00:01Z'))).toEqual({ response: true, resolution: false });
    });

    it('stays breached when the first response came late, and clean when it came in time', () => {
      const late = { ...open, firstResponseAt: at('2026-03-01T11:30:00Z') };
      const onTime = { ...open, firstResponseAt: at('2026-03-01T10:30:00Z') };
      expect(computeBreaches(late, at('2026-03-01T12:00:00Z')).response).toBe(true);
      expect(computeBreaches(onTime, at('2026-03-09T12:00:00Z')).response).toBe(false);
    });

    it('does not breach resolution while the clock is paused', () => {
      const waiting = {
        ...open,
        firstResponseAt: at('2026-03-01T10:10:00Z'),
        pendingSince: at('2026-03-01T13:00:00Z'),
      };
      expect(computeBreaches(waiting, at('2026-03-01T20:00:00Z')).resolution).toBe(false);
    });

    it('judges a resolved ticket by its resolution time', () => {
      expect(
        computeBreaches({ ...open, resolvedAt: at('2026-03-01T15:00:00Z') }, at('2026-03-01T15:00:00Z')).resolution,
      ).toBe(true);
      expect(
        computeBreaches({ ...open, resolvedAt: at('2026-03-01T13:00:00Z') }, at('2026-03-09T00:00:00Z')).resolution,
      ).toBe(false);
    });

    it('never breaches without due dates (SLA disabled)', () => {
      const none = {
        responseDueAt: null,
        resolutionDueAt: null,
        firstResponseAt: null,
        resolvedAt: null,
        pendingSince: null,
      };
      expect(computeBreaches(none, at('2030-01-01T00:00:00Z'))).toEqual({ response: false, resolution: false });
    });
  });

  describe('warnings at 80% of a target', () => {
    const sla = {
      ...computeDueDates(fresh, { responseMinutes: 60, resolutionMinutes: 240 }, ROUND_THE_CLOCK),
      firstResponseAt: null,
      resolvedAt: null,
      pendingSince: null,
    };

    it('warns between 80% and the due date only', () => {
      expect(computeWarnings(sla, at('2026-03-01T10:47:59Z')).response).toBe(false);
      expect(computeWarnings(sla, at('2026-03-01T10:48:00Z')).response).toBe(true);
      expect(computeWarnings(sla, at('2026-03-01T11:00:00Z')).response).toBe(false);
      expect(computeWarnings(sla, at('2026-03-01T13:12:00Z'))).toEqual({ response: false, resolution: true });
    });

    it('does not warn once answered, resolved or while paused', () => {
      const now = at('2026-03-01T13:30:00Z');
      expect(
        computeWarnings({ ...sla, firstResponseAt: at('2026-03-01T10:05:00Z') }, at('2026-03-01T10:50:00Z')).response,
      ).toBe(false);
      expect(computeWarnings({ ...sla, resolvedAt: at('2026-03-01T12:00:00Z') }, now).resolution).toBe(false);
      expect(computeWarnings({ ...sla, pendingSince: at('2026-03-01T13:00:00Z') }, now).resolution).toBe(false);
    });
  });

  describe('on a business-hours clock', () => {
    const berlin = businessTimeline({
      time_zone: 'Europe/Berlin',
      week: {
        mon: [['09:00', '17:00']],
        tue: [['09:00', '17:00']],
        wed: [],
        thu: [],
        fri: [['09:00', '17:00']],
        sat: [],
        sun: [],
      },
      holidays: [],
    });
    // Friday 2026-03-06 16:00 CET.
    const friday: SlaClock = {
      ...fresh,
      createdAt: at('2026-03-06T15:00:00Z'),
      resolutionClockStartedAt: at('2026-03-06T15:00:00Z'),
    };

    it('counts targets and the warning share in working hours', () => {
      const due = computeDueDates(friday, { responseMinutes: 4 * 60, resolutionMinutes: 10 * 60 }, berlin);
      expect(due.responseDueAt.toISOString()).toBe('2026-03-09T11:00:00.000Z');
      expect(due.resolutionDueAt.toISOString()).toBe('2026-03-10T09:00:00.000Z');
      // 80% of four working hours: 3 h 12 min, i.e. 1 h on Friday and 2 h 12 min on Monday.
      expect(due.responseWarningAt.toISOString()).toBe('2026-03-09T10:12:00.000Z');
    });

    it('moves the resolution due date by the working time of a pause', () => {
      const due = computeDueDates(friday, { responseMinutes: 60, resolutionMinutes: 10 * 60 }, berlin);
      // Paused from Friday 16:30 to Monday 10:00 CET: 30 + 60 working minutes.
      const paused = pauseSecondsEndingAt(at('2026-03-06T15:30:00Z'), at('2026-03-09T09:00:00Z'), berlin);
      expect(paused).toBe(90 * 60);
      const moved = resolutionAfterPause({ ...friday, resolutionDueAt: due.resolutionDueAt }, paused, berlin);
      expect(moved.resolutionDueAt.toISOString()).toBe('2026-03-10T10:30:00.000Z');
      expect(moved).toEqual({
        resolutionDueAt: computeDueDates(
          { ...friday, pausedSeconds: paused },
          { responseMinutes: 60, resolutionMinutes: 10 * 60 },
          berlin,
        ).resolutionDueAt,
        resolutionWarningAt: computeDueDates(
          { ...friday, pausedSeconds: paused },
          { responseMinutes: 60, resolutionMinutes: 10 * 60 },
          berlin,
        ).resolutionWarningAt,
      });
    });
  });
});
