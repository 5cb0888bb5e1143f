import { WEEKDAYS, type WorkingCalendar } from '@ticketing/contracts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Offsets are sampled this far apart and bisected between samples that differ: zones change far less often. */
const OFFSET_SAMPLE_MS = 3 * HOUR_MS;
/** Working intervals are generated a month at a time, so a long span never builds one huge list. */
const CHUNK_MS = 31 * DAY_MS;
/** A calendar whose next working minute is further away than this has none left (holidays cover everything). */
const HORIZON_MS = 50 * 366 * DAY_MS;

/** The clock an SLA target runs on: it says how much counted time lies between two instants. */
export interface SlaTimeline {
  /** Milliseconds of counted time in [from, to); 0 when `to` is not after `from`. */
  elapsedMs(from: Date, to: Date): number;
  /** The earliest instant by which `ms` of counted time has passed since `from` (`from` itself for 0). */
  add(from: Date, ms: number): Date;
}

/** Every millisecond counts (the `24x7` clock). */
export const ROUND_THE_CLOCK: SlaTimeline = {
  elapsedMs: (from, to) => Math.max(0, to.getTime() - from.getTime()),
  add: (from, ms) => new Date(from.getTime() + Math.max(0, ms)),
};

/** "HH:MM" → minutes after midnight; "24:00" is the end of the day. Null when malformed. */
export function parseClockTime(text: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

/** "YYYY-MM-DD" → days since 1970-01-01, or null when it is not a real date. */
export function parseLocalDate(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

/** Is `name` an IANA time zone this runtime knows (not an offset such as "+05:00")? */
export function isKnownTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds the zone's wall clock is ahead of UTC at `utcMs` (Intl holds the tz database). */
function zoneOffsetMs(timeZone: string, utcMs: number): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const part: Record<string, number> = {};
  for (const { type, value } of formatter.formatToParts(new Date(utcMs))) part[type] = Number(value);
  const wallMs = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second);
  return wallMs - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

interface OffsetSegment {
  start: number;
  end: number;
  offset: number;
}

/** [from, to) cut where the zone's offset changes, each piece with its offset. */
function offsetSegments(timeZone: string, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let start = from;
  let offset = zoneOffsetMs(timeZone, from);
  let probe = from;
  while (probe < to) {
    const next = Math.min(probe + OFFSET_SAMPLE_MS, to);
    if (zoneOffsetMs(timeZone, next) === offset) {
      probe = next;
      continue;
    }
    let [same, changed] = [probe, next];
    while (changed - same > 1) {
      const middle = Math.floor((same + changed) / 2);
      if (zoneOffsetMs(timeZone, middle) === offset) same = middle;
      else changed = middle;
    }
    segments.push({ start, end: changed, offset });
    [start, offset, probe] = [changed, zoneOffsetMs(timeZone, changed), changed];
  }
  segments.push({ start, end: to, offset });
  return segments;
}

/** A calendar parsed once: shifts in minutes per weekday (Monday first), holidays as day numbers. */
interface CompiledCalendar {
  timeZone: string;
  /** [start, end) minutes after the start of its day; end > 1440 runs into the next day. */
  shifts: (readonly [number, number])[][];
  holidays: ReadonlySet<number>;
}

function compile(calendar: WorkingCalendar): CompiledCalendar {
  const shifts = WEEKDAYS.map((day) =>
    calendar.week[day].map(([startText, endText]) => {
      const start = parseClockTime(startText);
      const end = parseClockTime(endText);
      if (start === null || end === null || start === 24 * 60 || start === end) {
        throw new Error(`Invalid shift ${startText}-${endText}`);
      }
      return [start, end > start ? end : end + 24 * 60] as const;
    }),
  );
  const holidays = new Set(
    calendar.holidays.map((text) => {
      const day = parseLocalDate(text);
      if (day === null) throw new Error(`Invalid holiday ${text}`);
      return day;
    }),
  );
  return { timeZone: calendar.time_zone, shifts, holidays };
}

/**
 * The working instants in [from, to), sorted and merged. An instant works when its wall-clock reading in the
 * calendar's zone lies in a shift of a day that is not a holiday: a shift that spans a DST change counts the
 * hours that really pass (one fewer in spring, one more in autumn).
 */
function workingIntervals(calendar: CompiledCalendar, from: number, to: number): [number, number][] {
  const pieces: [number, number][] = [];
  for (const segment of offsetSegments(calendar.timeZone, from, to)) {
    const firstDay = Math.floor((segment.start + segment.offset) / DAY_MS) - 1;
    const lastDay = Math.floor((segment.end - 1 + segment.offset) / DAY_MS);
    for (let day = firstDay; day <= lastDay; day += 1) {
      if (calendar.holidays.has(day)) continue;
      // Day 0 (1970-01-01) was a Thursday, index 3 counting from Monday.
      for (const [start, end] of calendar.shifts[(((day + 3) % 7) + 7) % 7]) {
        const wallStart = day * DAY_MS + start * MINUTE_MS;
        const wallEnd = day * DAY_MS + end * MINUTE_MS;
        const pieceStart = Math.max(wallStart - segment.offset, segment.start);
        const pieceEnd = Math.min(wallEnd - segment.offset, segment.end);
        if (pieceStart < pieceEnd) pieces.push([pieceStart, pieceEnd]);
      }
    }
  }
  pieces.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if (last && piece[0] <= last[1]) last[1] = Math.max(last[1], piece[1]);
    else merged.push(piece);
  }
  return merged;
}

/** The `business_hours` clock of a calendar: only working hours count. Pure; throws on a malformed calendar. */
export function businessTimeline(calendar: WorkingCalendar): SlaTimeline {
  const compiled = compile(calendar);
  return {
    elapsedMs(from, to) {
      let total = 0;
      for (let chunk = from.getTime(); chunk < to.getTime(); chunk += CHUNK_MS) {
        for (const [start, end] of workingIntervals(compiled, chunk, Math.min(chunk + CHUNK_MS, to.getTime()))) {
          total += end - start;
        }
      }
      return total;
    },
    add(from, ms) {
      let remaining = ms;
      if (remaining <= 0) return from;
      for (let chunk = from.getTime(); chunk - from.getTime() < HORIZON_MS; chunk += CHUNK_MS) {
        for (const [start, end] of workingIntervals(compiled, chunk, chunk + CHUNK_MS)) {
          if (remaining <= end - start) return new Date(start + remaining);
          remaining -= end - start;
        }
      }
      throw new Error('The calendar has no working time left');
    },
  };
}
