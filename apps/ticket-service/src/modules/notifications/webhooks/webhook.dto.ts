import { ApiProperty } from '@nestjs/swagger';
import { TicketEventType } from '@ticketing/contracts';
import { ArrayMaxSize, IsArray, IsEnum, IsString, MaxLength } from 'class-validator';
import { IsOmittable, TextField } from '../../../common/http/fields';
import { PageDto } from '../../../common/http/pagination';

export const MAX_WEBHOOK_URL_LENGTH = 2000;
/** Subscribing to every type is an empty list; repeats are pointless but harmless up to this many. */
export const MAX_SUBSCRIBED_EVENTS = 20;
/** An attempt's failure reason is cut to this many characters. */
export const MAX_ATTEMPT_ERROR_LENGTH = 500;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://chat-bridge.internal.example.com/hooks/tickets', maxLength: MAX_WEBHOOK_URL_LENGTH })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url!: string;

  @ApiProperty({
    enum: TicketEventType,
    enumName: 'TicketEventType',
    isArray: true,
    example: ['ticket.created', 'sla.breached'],
    maxItems: MAX_SUBSCRIBED_EVENTS,
    description: 'Empty = every event type',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_SUBSCRIBED_EVENTS)
  @IsEnum(TicketEventType, { each: true })
  events?: TicketEventType[];

  @TextField({
    min: 16,
    max: 200,
    description: 'HMAC key for X-Ticket-Signature; never returned',
    example: 'a-long-random-shared-secret',
  })
  secret!: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://chat-bridge.internal.example.com/hooks/tickets', maxLength: MAX_WEBHOOK_URL_LENGTH })
  url!: string;

  @ApiProperty({
    enum: TicketEventType,
    enumName: 'TicketEventType',
    isArray: true,
    maxItems: MAX_SUBSCRIBED_EVENTS,
    description: 'Empty = every event type',
  })
  events!: TicketEventType[];

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class WebhookPageDto extends PageDto(WebhookDto) {}

export class WebhookAttemptDto {
  @ApiProperty({ example: 1 })
  attempt!: number;

  @ApiProperty({ format: 'date-time' })
  attempted_at!: string;

  @ApiProperty({ example: 42 })
  duration_ms!: number;

  @ApiProperty({ type: Number, nullable: true, example: 503 })
  response_status!: number | null;

  @ApiProperty({ type: String, nullable: true, maxLength: MAX_ATTEMPT_ERROR_LENGTH, example: 'timeout after 5000 ms' })
  error!: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ enum: TicketEventType, enumName: 'TicketEventType' })
  event_type!: TicketEventType;

  @ApiProperty({ enum: ['PENDING', 'DELIVERED', 'DEAD'] })
  state!: string;

  @ApiProperty({ example: 1 })
  attempts!: number;

  @ApiProperty({ format: 'date-time' })
  next_attempt_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delivered_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: [WebhookAttemptDto], description: 'Every attempt, oldest first' })
  attempt_log!: WebhookAttemptDto[];
}

export class WebhookDeliveryPageDto extends PageDto(WebhookDeliveryDto) {}
