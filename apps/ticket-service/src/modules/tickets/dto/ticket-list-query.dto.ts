import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEnum, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ImpactLevel, TicketCategory, TicketEnvironment, TicketPriority, TicketStatus } from '@ticketing/contracts';
import { PageQueryDto } from '../../../common/http/pagination';

export const TICKET_SORT_FIELDS = [
  'created_at',
  'updated_at',
  'priority',
  'status',
  'response_due_at',
  'resolution_due_at',
  'ticket_number',
  'relevance',
] as const;
export type TicketSortField = (typeof TICKET_SORT_FIELDS)[number];

/** A repeatable query parameter arrives as a string once and as an array when repeated. */
const asArray = Transform(({ value }: { value: unknown }) =>
  value === undefined || Array.isArray(value) ? value : [value],
);
const asTrimmed = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
const asBoolean = Transform(({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value,
);

function repeatable(enumType: object, enumName: string): PropertyDecorator[] {
  return [
    ApiProperty({ enum: enumType, enumName, isArray: true, required: false, description: 'Repeat for OR' }),
    IsOptional(),
    asArray,
    IsEnum(enumType, { each: true }),
  ];
}

function apply(decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorator) => decorator(target, key));
}

/** GET /tickets filters (OR within a repeated one, AND across), sort and page (spec §8). */
export class TicketListQueryDto extends PageQueryDto {
  @apply(repeatable(TicketStatus, 'TicketStatus'))
  status?: TicketStatus[];

  @apply(repeatable(TicketPriority, 'TicketPriority'))
  priority?: TicketPriority[];

  @apply(repeatable(TicketCategory, 'TicketCategory'))
  category?: TicketCategory[];

  @apply(repeatable(TicketEnvironment, 'TicketEnvironment'))
  environment?: TicketEnvironment[];

  @apply(repeatable(ImpactLevel, 'ImpactLevel'))
  impact_level?: ImpactLevel[];

  @ApiProperty({ type: [String], required: false, description: 'Repeat for OR; matched lower-cased' })
  @IsOptional()
  @asArray
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiProperty({ required: false, description: 'A user id, `me` or `none`', example: 'me' })
  @IsOptional()
  @Matches(/^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, {
    message: 'assignee_id must be a UUID, me or none',
  })
  assignee_id?: string;

  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  reporter_id?: string;

  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  team_id?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'created_at ≥ this' })
  @IsOptional()
  @IsISO8601({ strict: true })
  created_after?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'created_at < this' })
  @IsOptional()
  @IsISO8601({ strict: true })
  created_before?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'updated_at ≥ this' })
  @IsOptional()
  @IsISO8601({ strict: true })
  updated_after?: string;

  @ApiProperty({
    required: false,
    type: Boolean,
    description: 'Tickets whose response or resolution SLA is breached (true) or not (false)',
  })
  @IsOptional()
  @asBoolean
  @IsIn([true, false], { message: 'sla_breached must be true or false' })
  sla_breached?: boolean;

  @ApiProperty({
    required: false,
    maxLength: 500,
    description: 'Full-text search, web-search syntax: "quoted phrase", -exclude, or',
  })
  @IsOptional()
  @asTrimmed
  @IsString()
  @MaxLength(500)
  q?: string;

  @ApiProperty({
    required: false,
    enum: TICKET_SORT_FIELDS,
    default: 'created_at',
    description: '`relevance` only with q',
  })
  @IsOptional()
  @IsIn(TICKET_SORT_FIELDS)
  sort_by?: TicketSortField;

  @ApiProperty({ required: false, enum: ['asc', 'desc'], default: 'desc', description: '`priority asc` is P1 first' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}
