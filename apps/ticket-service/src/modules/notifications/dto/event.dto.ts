import { ApiProperty } from '@nestjs/swagger';
import { TicketEventType } from '@ticketing/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const MAX_FEED_LIMIT = 1000;

export class EventFeedQueryDto {
  @ApiProperty({
    required: false,
    example: '750:42',
    description: 'The next_cursor of the previous page; omit to start at the beginning',
  })
  @IsOptional()
  @Matches(/^\d{1,20}:\d{1,19}$/, { message: 'after must be a cursor returned by this endpoint' })
  after?: string;

  @ApiProperty({ required: false, minimum: 1, maximum: MAX_FEED_LIMIT, default: 100 })
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
  @ApiProperty({ type: [EventDto], description: 'Oldest first' })
  items!: EventDto[];

  @ApiProperty({ example: '750:42', description: 'Opaque; pass as `after` to get the events that follow' })
  next_cursor!: string;
}
