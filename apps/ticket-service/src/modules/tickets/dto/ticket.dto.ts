import { enumOrNull } from '../../../common/http/fields';
import { PageDto } from '../../../common/http/pagination';
import {
  MAX_AFFECTED_SERVICE_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_RESOLUTION_NOTES_LENGTH,
  MAX_TAGS,
  MAX_TITLE_LENGTH,
  TAG_ITEM,
} from './ticket-fields.dto';
import { ApiProperty } from '@nestjs/swagger';
import { ImpactLevel, TicketCategory, TicketEnvironment, TicketPriority, TicketStatus } from '@ticketing/contracts';

const nullableTimestamp = { type: String, format: 'date-time', nullable: true } as const;

/** A ticket on the wire. */
export class TicketDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    example: 'TKT-000123',
    maxLength: 24,
    pattern: '^TKT-\\d{6,20}$',
    description: 'Human key: unique and increasing (gaps allowed)',
  })
  ticket_number!: string;

  @ApiProperty({ example: 'Production database is down', maxLength: MAX_TITLE_LENGTH })
  title!: string;

  @ApiProperty({ example: 'The primary PostgreSQL stopped answering at 14:30 UTC.', maxLength: MAX_DESCRIPTION_LENGTH })
  description!: string;

  @ApiProperty({ enum: TicketCategory, enumName: 'TicketCategory' })
  category!: TicketCategory;

  @ApiProperty({ enum: TicketPriority, enumName: 'TicketPriority' })
  priority!: TicketPriority;

  @ApiProperty({ enum: TicketStatus, enumName: 'TicketStatus' })
  status!: TicketStatus;

  @ApiProperty({ enum: enumOrNull(TicketEnvironment), nullable: true })
  environment!: TicketEnvironment | null;

  @ApiProperty({ type: String, nullable: true, example: 'PostgreSQL Database', maxLength: MAX_AFFECTED_SERVICE_LENGTH })
  affected_service!: string | null;

  @ApiProperty({ enum: enumOrNull(ImpactLevel), nullable: true })
  impact_level!: ImpactLevel | null;

  @ApiProperty({ type: 'array', items: TAG_ITEM, maxItems: MAX_TAGS, example: ['database', 'outage'] })
  tags!: string[];

  @ApiProperty({ format: 'uuid' })
  reporter_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  assignee_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  team_id!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: MAX_RESOLUTION_NOTES_LENGTH })
  resolution_notes!: string | null;

  @ApiProperty(nullableTimestamp)
  response_due_at!: string | null;

  @ApiProperty(nullableTimestamp)
  resolution_due_at!: string | null;

  @ApiProperty(nullableTimestamp)
  first_response_at!: string | null;

  @ApiProperty(nullableTimestamp)
  resolved_at!: string | null;

  @ApiProperty(nullableTimestamp)
  closed_at!: string | null;

  @ApiProperty({ description: 'No first response by the due date, or a late one (computed at read time)' })
  response_breached!: boolean;

  @ApiProperty({ description: 'Not resolved by the due date, or resolved late (computed at read time)' })
  resolution_breached!: boolean;

  @ApiProperty({ example: 0 })
  reopen_count!: number;

  @ApiProperty({ example: 1, description: 'Optimistic-lock version; also the ETag' })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class TicketPageDto extends PageDto(TicketDto) {}
