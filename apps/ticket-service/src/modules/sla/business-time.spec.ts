import { WEEKDAYS, type Weekday, type WorkingCalendar, type WorkingShift } from '@ticketing/contracts';
import fc from 'fast-check';
import { businessTimeline, isKnownTimeZone, ROUND_THE_CLOCK } from './business-time';

/**
 * The business-hours clock against a reference model that reads the calendar minute by minute: for every UTC
 * minute it asks Intl for the wall clock in the zone and checks the shifts of that local day and of the day
 * before (a shift that runs past midnight). Deterministic by default; FC_SEED and FC_RUNS explore further.
 */
const FC_SEED = Number(process.env.FC_SEED ?? 20_261_207);
const FC_RUNS = Number(process.env.FC_RUNS ?? 150);

const MINUTE_MS = 60_000;
const QUARTER_MS = 15 * MINUTE_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** DST zones of both hemispheres, zones far from UTC and on odd offsets, and fixed ones. */
const ZONES = [
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Europe/Berlin',
  'America/New_York',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Australia/Adelaide',
  'Europe/Dublin',
  'UTC',
] as const;

const WEEKDAY_OF_UTC_DAY: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const minutesOf = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

/** The reference: wall clock by Intl once per quarter hour (the tested zones change offset only on quarter hours). */
function referenceModel(calendar: WorkingCalendar) {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone: calendar.time_zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const quarterWall = new Map<number, number>();
  const wallOf = (utcMs: number): number => {
    const quarter = Math.floor(utcMs / QUARTER_MS) * QUARTER_MS;
    let wall = quarterWall.get(quarter);
    if (wall === undefined) {
      const part = Object.fromEntries(
        formatter.formatToParts(new Date(quarter)).map(({ type, value }) => [type, Number(value)]),
      );
      wall = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute);
      quarterWall.set(quarter, wall);
    }
    return wall + (utcMs - quarter);
  };
  const holidays = new Set(calendar.holidays);
  const dayInfo = (day: number) => {
    const date = new Date(day * DAY_MS);
    return { weekday: WEEKDAY_OF_UTC_DAY[date.getUTCDay()], holiday: holidays.has(date.toISOString().slice(0, 10)) };
  };
  const isWorkingMinute = (utcMs: number): boolean => {
    const wall = wallOf(utcMs);
    const day = Math.floor(wall / DAY_MS);
    const minute = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
    const today = dayInfo(day);
    const yesterday = dayInfo(day - 1);
    const todayShift = ([start, end]: WorkingShift) =>
      minutesOf(end) > minutesOf(start)
        ? minute >= minutesOf(start) && minute < minutesOf(end)
        : minute >= minutesOf(start);
    const overnightShift = ([start, end]: WorkingShift) =>
      minutesOf(end) <= minutesOf(start) && minute < minutesOf(end);
    return (
      (!today.holiday && calendar.week[today.weekday].some(todayShift)) ||
      (!yesterday.holiday && calendar.week[yesterday.weekday].some(overnightShift))
    );
  };
  return {
    isWorkingMinute,
    /** Working minutes in [from, to), both on whole minutes. */
    workingMinutes(from: number, to: number): number {
      let count = 0;
      for (let minute = from; minute < to; minute += MINUTE_MS) if (isWorkingMinute(minute)) count += 1;
      return count;
    },
  };
}

/** A shift of whole minutes; an end at or before the start runs past midnight. */
const shift: fc.Arbitrary<WorkingShift> = fc
  .tuple(fc.integer({ min: 0, max: 24 * 60 - 1 }), fc.integer({ min: 1, max: 24 * 60 }))
  .filter(([start, end]) => start !== end)
  .map(([start, end]) => [hhmm(start), hhmm(end)]);

/** 2024–2030, often in the months in which zones change between summer and winter time. */
const startMinute = fc.oneof(
  fc.integer({ min: Date.UTC(2024, 0, 1) / MINUTE_MS, max: Date.UTC(2031, 0, 1) / MINUTE_MS }),
  fc
    .tuple(
      fc.integer({ min: 2024, max: 2030 }),
      fc.constantFrom(2, 3, 8, 9, 10),
      fc.integer({ min: 0, max: 28 * 24 * 60 }),
    )
    .map(([year, month, minutes]) => Date.UTC(year, month, 1) / MINUTE_MS + minutes),
);

interface CalendarCase {
  calendar: WorkingCalendar;
  fromMs: number;
}

/** A calendar with 1–21 shifts and holidays around the start instant, and that start instant (a whole minute). */
const calendarCase: fc.Arbitrary<CalendarCase> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    week: fc.tuple(...WEEKDAYS.map(() => fc.array(shift, { maxLength: 3 }))),
    holidayOffsets: fc.uniqueArray(fc.integer({ min: -2, max: 20 }), { maxLength: 6 }),
    fromMinute: startMinute,
  })
  .filter(({ week }) => week.some((shifts) => shifts.length > 0))
  .map(({ zone, week, holidayOffsets, fromMinute }) => {
    const fromMs = fromMinute * MINUTE_MS;
    const fromDay = Math.floor(fromMs / DAY_MS);
    return {
      fromMs,
      calendar: {
        time_zone: zone,
        week: Object.fromEntries(WEEKDAYS.map((day, index) => [day, week[index]])) as WorkingCalendar['week'],
        holidays: holidayOffsets.map((offset) => new Date((fromDay + offset) * DAY_MS).toISOString().slice(0, 10)),
      },
    };
  });

/** Interval lengths in minutes: under two hours, up to two days, up to two weeks. */
const INTERVAL_MINUTES = [120, 2 * 24 * 60, 14 * 24 * 60] as const;
const intervalMinutes = fc.oneof(...INTERVAL_MINUTES.map((max) => fc.integer({ min: 0, max })));
/** Working minutes to add: up to an hour, a working day and a working week. */
const ADDED_MINUTES = [60, 8 * 60, 40 * 60] as const;
const addedMinutes = fc.oneof(...ADDED_MINUTES.map((max) => fc.integer({ min: 0, max })));

const settings = { seed: FC_SEED, numRuns: FC_RUNS };
const PROPERTY_TIMEOUT_MS = Math.max(120_000, FC_RUNS * 1000);

const calendar = (time_zone: string, week: Partial<WorkingCalendar['week']>, holidays: string[] = []) => ({
  time_zone,
  week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...week },
  holidays,
});
const nineToFive: WorkingShift[] = [['09:00', '17:00']];
const HOUR_MS = 60 * MINUTE_MS;
const at = (iso: string) => new Date(iso);

describe('business time', () => {
  describe('against the minute-by-minute reference model', () => {
    it(
      'counts the working minutes of random intervals',
      () => {
        fc.assert(
          fc.property(calendarCase, intervalMinutes, ({ calendar, fromMs }, minutes) => {
            const timeline = businessTimeline(calendar);
            const toMs = fromMs + minutes * MINUTE_MS;
            const expected = referenceModel(calendar).workingMinutes(fromMs, toMs) * MINUTE_MS;
            expect(timeline.elapsedMs(new Date(fromMs), new Date(toMs))).toBe(expected);
          }),
          settings,
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'adds working minutes: the end of the minute in which the count is reached',
      () => {
        fc.assert(
          fc.property(calendarCase, addedMinutes, ({ calendar, fromMs }, minutes) => {
            const due = businessTimeline(calendar)
              .add(new Date(fromMs), minutes * MINUTE_MS)
              .getTime();
            const reference = referenceModel(calendar);
            expect(reference.workingMinutes(fromMs, due)).toBe(minutes);
            if (minutes === 0) expect(due).toBe(fromMs);
            else expect(reference.isWorkingMinute(due - MINUTE_MS)).toBe(true);
          }),
          settings,
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });

  it(
    'is additive and adding inverts counting, at any millisecond',
    () => {
      const milliseconds = fc.integer({ min: 0, max: 3 * DAY_MS });
      fc.assert(
        fc.property(calendarCase, milliseconds, milliseconds, ({ calendar, fromMs }, a, b) => {
          const timeline = businessTimeline(calendar);
          const from = new Date(fromMs + (a % MINUTE_MS));
          const middle = new Date(from.getTime() + a);
          const end = new Date(middle.getTime() + b);
          expect(timeline.elapsedMs(from, middle) + timeline.elapsedMs(middle, end)).toBe(
            timeline.elapsedMs(from, end),
          );
          const afterA = timeline.add(from, a);
          expect(timeline.elapsedMs(from, afterA)).toBe(a);
          expect(timeline.add(afterA, b).getTime()).toBe(timeline.add(from, a + b).getTime());
        }),
        settings,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('counts a Friday afternoon ticket into Monday, skipping a holiday Monday', () => {
    const berlin = businessTimeline(calendar('Europe/Berlin', { mon: nineToFive, tue: nineToFive, fri: nineToFive }));
    // Friday 2026-12-18 16:00 CET: one hour left that day, three more on Monday 09:00–12:00.
    expect(berlin.add(at('2026-12-18T15:00:00Z'), 4 * HOUR_MS).toISOString()).toBe('2026-12-21T11:00:00.000Z');
    const withHoliday = businessTimeline(
      calendar('Europe/Berlin', { mon: nineToFive, tue: nineToFive, fri: nineToFive }, ['2026-12-21']),
    );
    expect(withHoliday.add(at('2026-12-18T15:00:00Z'), 4 * HOUR_MS).toISOString()).toBe('2026-12-22T11:00:00.000Z');
  });

  it('counts the hours that really pass in a shift across a DST change', () => {
    const night = calendar('Europe/Berlin', { sat: [['22:00', '06:00']] });
    const berlin = businessTimeline(night);
    // Saturday 2026-03-28 22:00 to Sunday 06:00 loses an hour; 2026-10-24 to 25 gains one.
    expect(berlin.elapsedMs(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(7 * HOUR_MS);
    expect(berlin.elapsedMs(at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(9 * HOUR_MS);
  });

  it('keeps the end of an overnight shift that started before a holiday', () => {
    const kathmandu = businessTimeline(calendar('Asia/Kathmandu', { thu: [['20:00', '02:00']] }, ['2026-12-25']));
    // Thursday 2026-12-24 20:00 +05:45 until Friday (a holiday) 02:00 still counts: six hours.
    expect(kathmandu.elapsedMs(at('2026-12-24T00:00:00Z'), at('2026-12-26T00:00:00Z'))).toBe(6 * HOUR_MS);
  });

  it('reads shifts on the wall clock of zones on odd offsets', () => {
    const chatham = businessTimeline(calendar('Pacific/Chatham', { mon: nineToFive }));
    // Monday 2026-07-06 09:00 +12:45 (winter) is Sunday 20:15 UTC.
    expect(chatham.add(at('2026-07-05T00:00:00Z'), MINUTE_MS).toISOString()).toBe('2026-07-05T20:16:00.000Z');
    const stJohns = businessTimeline(calendar('America/St_Johns', { mon: nineToFive }));
    // Monday 2026-01-05 09:00 −03:30 is 12:30 UTC.
    expect(stJohns.add(at('2026-01-05T00:00:00Z'), MINUTE_MS).toISOString()).toBe('2026-01-05T12:31:00.000Z');
  });

  it('counts every millisecond round the clock', () => {
    expect(ROUND_THE_CLOCK.elapsedMs(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(24 * HOUR_MS);
    expect(ROUND_THE_CLOCK.add(at('2026-01-01T00:00:00Z'), HOUR_MS).toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('knows IANA zones and refuses others', () => {
    expect(isKnownTimeZone('Asia/Kathmandu')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('+05:00')).toBe(false);
  });
});
