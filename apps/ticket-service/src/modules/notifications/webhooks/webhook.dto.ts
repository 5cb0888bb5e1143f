import { ApiProperty } from '@nestjs/swagger';
import { TicketEventType } from '@ticketing/contracts';
import { ArrayMaxSize, IsArray, IsEnum, IsString, MaxLength } from 'class-validator';
import { IsOmittable, TextField } from '../../../common/http/fields';
import { PageDto } from '../../../common/http/pagination';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://chat-bridge.internal.example.com/hooks/tickets', maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({
    enum: TicketEventType,
    enumName: 'TicketEventType',
    isArray: true,
    example: ['ticket.created', 'sla.breached'],
    description: 'Empty = every event type',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(20)
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

  @ApiProperty({ example: 'https://chat-bridge.internal.example.com/hooks/tickets' })
  url!: string;

  @ApiProperty({ enum: TicketEventType, enumName: 'TicketEventType', isArray: true })
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

  @ApiProperty({ type: String, nullable: true, example: 'timeout after 5000 ms' })
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
