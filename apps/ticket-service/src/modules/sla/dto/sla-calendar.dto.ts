import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { Weekday, WorkingShift } from '@ticketing/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsNotEmptyObject,
  IsString,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { isKnownTimeZone, parseClockTime, parseLocalDate } from '../business-time';

const MAX_SHIFTS_PER_DAY = 6;
const MAX_HOLIDAYS = 1000;
const CLOCK_TIME = '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$';

/** `["HH:MM", "HH:MM"]` with distinct times; "24:00" only as an end. */
export function isWorkingShift(value: unknown): value is WorkingShift {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((time) => typeof time === 'string')) return false;
  const [start, end] = value.map((time: string) => parseClockTime(time));
  return start !== null && end !== null && start < 24 * 60 && start !== end;
}

/** A day's shifts: up to MAX_SHIFTS_PER_DAY pairs of clock times. */
function ShiftList(day: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      type: 'array',
      maxItems: MAX_SHIFTS_PER_DAY,
      items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string', maxLength: 5, pattern: CLOCK_TIME } },
      example: day === 'sat' || day === 'sun' ? [] : [['09:00', '17:00']],
      description: 'Shifts starting on this day, ["HH:MM", "HH:MM"]; an end at or before the start runs past midnight',
    }),
    IsArray(),
    ArrayMaxSize(MAX_SHIFTS_PER_DAY),
    ValidateBy({
      name: 'isWorkingShift',
      validator: {
        validate: (shifts: unknown) => Array.isArray(shifts) && shifts.every(isWorkingShift),
        defaultMessage: () =>
          `${day} must list shifts as ["HH:MM", "HH:MM"] with a start before 24:00 and a different end`,
      },
    }),
  );
}

/** Working shifts per weekday, Monday first (the keys of WorkingCalendar['week']). */
export class WorkingWeekDto implements Record<Weekday, WorkingShift[]> {
  @ShiftList('mon') mon!: WorkingShift[];
  @ShiftList('tue') tue!: WorkingShift[];
  @ShiftList('wed') wed!: WorkingShift[];
  @ShiftList('thu') thu!: WorkingShift[];
  @ShiftList('fri') fri!: WorkingShift[];
  @ShiftList('sat') sat!: WorkingShift[];
  @ShiftList('sun') sun!: WorkingShift[];
}

export class WorkingCalendarDto {
  @ApiProperty({ example: 'Europe/Berlin', maxLength: 64, description: 'IANA time zone the shifts are read in' })
  @IsString()
  @MaxLength(64)
  @ValidateBy({
    name: 'isKnownTimeZone',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isKnownTimeZone(value),
      defaultMessage: () => 'time_zone must be an IANA time zone such as Europe/Berlin',
    },
  })
  time_zone!: string;

  @ApiProperty({ type: WorkingWeekDto })
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => WorkingWeekDto)
  week!: WorkingWeekDto;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'date', maxLength: 10 },
    maxItems: MAX_HOLIDAYS,
    example: ['2026-12-25'],
    description: 'Local dates whose shifts do not count (a shift belongs to the day it starts on)',
  })
  @IsArray()
  @ArrayMaxSize(MAX_HOLIDAYS)
  @ArrayUnique()
  @ValidateBy({
    name: 'isLocalDate',
    validator: {
      validate: (dates: unknown) =>
        Array.isArray(dates) && dates.every((date) => typeof date === 'string' && parseLocalDate(date) !== null),
      defaultMessage: () => 'holidays must be dates as YYYY-MM-DD',
    },
  })
  holidays!: string[];
}

export class SlaCalendarDto extends WorkingCalendarDto {
  @ApiProperty({ format: 'uuid', description: 'This calendar version; tickets show the version they count on' })
  id!: string;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'The team whose override this is; null for the default calendar',
  })
  team_id!: string | null;

  @ApiProperty({ format: 'date-time', description: 'When this version replaced the previous one' })
  updated_at!: string;
}
