import { ApiProperty } from '@nestjs/swagger';
import { TicketEventType } from '@ticketing/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';

export const MAX_FEED_LIMIT = 1000;
/** `<xid>:<seq>` in canonical decimals, as next_cursor writes them. */
const FEED_CURSOR = /^(0|[1-9]\d{0,19}):(0|[1-9]\d{0,18})$/;
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * Whether `value` is a cursor this endpoint could have written: the transaction id within PostgreSQL's xid8
 * (unsigned 64 bits) and the sequence within bigint; beyond either the query would fail instead of answering.
 */
export function isFeedCursor(value: unknown): boolean {
  const match = typeof value === 'string' ? FEED_CURSOR.exec(value) : null;
  return match !== null && BigInt(match[1]) <= MAX_XID8 && BigInt(match[2]) <= MAX_BIGINT;
}

export class EventFeedQueryDto {
  @ApiProperty({
    required: false,
    example: '750:42',
    maxLength: 41,
    pattern: FEED_CURSOR.source,
    description: 'The next_cursor of the previous page; omit to start at the beginning',
  })
  @IsOptional()
  @ValidateBy({
    name: 'isFeedCursor',
    validator: { validate: isFeedCursor, defaultMessage: () => 'after must be a cursor returned by this endpoint' },
  })
  after?: string;

  @ApiProperty({ required: false, type: 'integer', minimum: 1, maximum: MAX_FEED_LIMIT, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_FEED_LIMIT)
  limit: number = 100;
}

export class EventDto {
  @ApiProperty({ format: 'uuid', description: 'Unique per event: use it to de-duplicate' })
  id!: string;

  @ApiProperty({ enum: TicketEventType, enumName: 'TicketEventType', example: TicketEventType.TICKET_CREATED })
  type!: TicketEventType;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({ format: 'uuid' })
  ticket_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null = the system' })
  actor_id!: string | null;

  @ApiProperty({ description: 'True for events about staff-only content' })
  internal!: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { from: 'OPEN', to: 'IN_PROGRESS', notes: null },
  })
  data!: Record<string, unknown>;
}

export class EventFeedDto {
  @ApiProperty({ type: [EventDto], maxItems: MAX_FEED_LIMIT, description: 'Oldest first' })
  items!: EventDto[];

  @ApiProperty({
    example: '750:42',
    maxLength: 41,
    pattern: FEED_CURSOR.source,
    description: 'Opaque; pass as `after` to get the events that follow',
  })
  next_cursor!: string;
}
