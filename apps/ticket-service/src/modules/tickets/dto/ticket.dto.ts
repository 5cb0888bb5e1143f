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
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  ImpactLevel,
  SlaClockType,
  TicketCategory,
  TicketEnvironment,
  TicketPriority,
  TicketStatus,
} from '@ticketing/contracts';

const nullableTimestamp = { type: String, format: 'date-time', nullable: true } as const;

/** The monitoring alert behind a ticket opened by the alert intake. */
export interface TicketAlertDto {
  fingerprint: string;
  source: string | null;
  labels: Record<string, string>;
  generator_url: string | null;
  occurrences: number;
  last_alert_at: string | null;
  resolved_at: string | null;
}

/**
 * Inline rather than a `$ref`: OpenAPI 3.0 cannot make a referenced schema nullable (`nullable` beside `allOf`
 * is ignored by validators), while an inline object schema with `nullable` admits null.
 */
const TICKET_ALERT_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  // `required` below lists the alert's own fields; this keeps `alert` itself required on the ticket.
  selfRequired: true,
  description: 'The monitoring alert that opened the ticket; null for tickets opened by people',
  required: ['fingerprint', 'source', 'labels', 'generator_url', 'occurrences', 'last_alert_at', 'resolved_at'],
  properties: {
    fingerprint: {
      type: 'string',
      maxLength: 200,
      example: 'a3f9c2d1e4b5a6f7',
      description: 'The alert identity tickets are de-duplicated by',
    },
    source: { type: 'string', nullable: true, maxLength: 100, example: 'alertmanager' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 1000 },
      maxProperties: 64,
      example: { alertname: 'HighErrorRate', service: 'checkout', env: 'production' },
    },
    generator_url: {
      type: 'string',
      nullable: true,
      maxLength: 2000,
      example: 'http://prometheus:9090/graph?g0.expr=up',
    },
    occurrences: {
      type: 'integer',
      minimum: 1,
      maximum: 2 ** 31 - 1,
      example: 3,
      description: 'Firings counted on this ticket, the first included (alert_occurrences)',
    },
    last_alert_at: { type: 'string', format: 'date-time', nullable: true, description: 'The latest firing' },
    resolved_at: {
      type: 'string',
      format: 'date-time',
      nullable: true,
      description: 'When the alert reported itself resolved; cleared by a new firing',
    },
  },
};

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

  @ApiProperty({
    enum: enumOrNull(SlaClockType),
    nullable: true,
    description: 'The clock the due dates count on (that of the policy of its priority); null when SLA is off',
  })
  sla_clock!: SlaClockType | null;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description:
      'The calendar version business hours are counted in: the id GET /sla/calendar or the team’s calendar had ' +
      'when the ticket was created (later calendar changes apply to newer tickets); null when SLA is off',
  })
  sla_calendar_id!: string | null;

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

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ticket this one was merged into (it is then CLOSED); null otherwise',
  })
  merged_into_id!: string | null;

  @ApiProperty({ example: 1, description: 'Optimistic-lock version; also the ETag' })
  version!: number;

  @ApiProperty(TICKET_ALERT_SCHEMA)
  alert!: TicketAlertDto | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class TicketPageDto extends PageDto(TicketDto) {}
