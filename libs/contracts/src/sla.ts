import { TicketPriority } from './enums';

export interface SlaTarget {
  /** Minutes from creation until a first response is due. */
  responseMinutes: number;
  /** Minutes from creation (or reopening) until resolution is due. */
  resolutionMinutes: number;
}

/**
 * Default SLA targets (spec §6). The first migration stores them as the initial policies; a suite checks
 * that the migrated rows equal these, so the package and the database cannot drift apart.
 */
export const DEFAULT_SLA_TARGETS: Readonly<Record<TicketPriority, SlaTarget>> = {
  [TicketPriority.P1]: { responseMinutes: 60, resolutionMinutes: 4 * 60 },
  [TicketPriority.P2]: { responseMinutes: 4 * 60, resolutionMinutes: 24 * 60 },
  [TicketPriority.P3]: { responseMinutes: 8 * 60, resolutionMinutes: 72 * 60 },
  [TicketPriority.P4]: { responseMinutes: 24 * 60, resolutionMinutes: 168 * 60 },
};

/** How an SLA policy counts time: round the clock, or only the working hours of the ticket's calendar. */
export enum SlaClockType {
  ROUND_THE_CLOCK = '24x7',
  BUSINESS_HOURS = 'business_hours',
}

/** Days of a working week, in the order a calendar lists them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * One shift of a working day, `["HH:MM", "HH:MM"]` in the calendar's time zone. An end at or before the start
 * runs past midnight into the next day ("24:00" ends at midnight); the shift belongs to the day it starts on.
 */
export type WorkingShift = [start: string, end: string];

/** Working hours of a calendar (the body of PUT /sla/calendar and PUT /teams/{id}/calendar). */
export interface WorkingCalendar {
  /** IANA time zone, e.g. "Europe/Berlin". */
  time_zone: string;
  week: Record<Weekday, WorkingShift[]>;
  /** Local dates (YYYY-MM-DD) whose shifts do not count. */
  holidays: string[];
}
