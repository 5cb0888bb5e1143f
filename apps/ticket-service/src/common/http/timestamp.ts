import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate } from 'class-validator';

/** RFC 3339 date-time: `2026-05-04T08:00:00Z`, optional fraction, `Z` or an offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** Parses an RFC 3339 timestamp into a Date; anything else (or an impossible date) stays invalid for IsDate. */
export function parseTimestamp(value: unknown): unknown {
  if (typeof value !== 'string' || !RFC3339.test(value)) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  // Reject rolled-over dates such as 2026-02-30, which Date silently moves to March.
  const [datePart] = value.split('T');
  const offsetFree = new Date(`${datePart}T00:00:00Z`);
  return offsetFree.toISOString().slice(0, 10) === datePart ? date : value;
}

/** A query or body timestamp, validated and turned into a Date. */
export function IsTimestamp(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => parseTimestamp(value)),
    IsDate({ message: '$property must be an RFC 3339 date-time, e.g. 2026-05-04T08:00:00Z' }),
  );
}
