import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsEnum, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ImpactLevel, TicketCategory, TicketEnvironment, TicketPriority, TicketStatus } from '@ticketing/contracts';
import { RejectNul } from '../../../common/http/fields';
import { PageQueryDto } from '../../../common/http/pagination';
import { UUID_FORM } from '../../../common/http/uuid-param';
import { IsTimestamp } from '../../../common/http/timestamp';

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

/** `assignee_id`: a user id (any case, lower-cased on the way in), `me` or `none`. */
const ASSIGNEE = /^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
/** An opaque next_cursor: base64url. */
const LIST_CURSOR = /^[A-Za-z0-9_-]+$/;

/** Tags one list request may match (OR). */
const MAX_TAG_FILTERS = 50;

/** A repeatable query parameter arrives as a string once and as an array when repeated. */
const asArray = Transform(({ value }: { value: unknown }) =>
  value === undefined || Array.isArray(value) ? value : [value],
);
const asLowerCase = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value,
);
const asTrimmed = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
const asBoolean = Transform(({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value,
);

function repeatable(enumType: object, enumName: string): PropertyDecorator[] {
  return [
    ApiProperty({
      enum: enumType,
      enumName,
      isArray: true,
      required: false,
      maxItems: Object.keys(enumType).length,
      description: 'Repeat for OR',
    }),
    IsOptional(),
    asArray,
    ArrayMaxSize(Object.keys(enumType).length),
    IsEnum(enumType, { each: true }),
  ];
}

/** GET /tickets filters (OR within a repeated one, AND across), sort and page (spec §8). */
export class TicketListQueryDto extends PageQueryDto {
  @applyDecorators(...repeatable(TicketStatus, 'TicketStatus'))
  status?: TicketStatus[];

  @applyDecorators(...repeatable(TicketPriority, 'TicketPriority'))
  priority?: TicketPriority[];

  @applyDecorators(...repeatable(TicketCategory, 'TicketCategory'))
  category?: TicketCategory[];

  @applyDecorators(...repeatable(TicketEnvironment, 'TicketEnvironment'))
  environment?: TicketEnvironment[];

  @applyDecorators(...repeatable(ImpactLevel, 'ImpactLevel'))
  impact_level?: ImpactLevel[];

  @ApiProperty({
    type: 'array',
    items: { type: 'string', maxLength: 50 },
    maxItems: MAX_TAG_FILTERS,
    required: false,
    description: 'Repeat for OR; matched lower-cased',
  })
  @IsOptional()
  @asArray
  @ArrayMaxSize(MAX_TAG_FILTERS)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  @RejectNul()
  tags?: string[];

  @ApiProperty({
    required: false,
    description: 'A user id, `me` or `none`',
    example: 'me',
    maxLength: 36,
    pattern: ASSIGNEE.source,
  })
  @IsOptional()
  @Matches(ASSIGNEE, { message: 'assignee_id must be a UUID, me or none' })
  @asLowerCase
  assignee_id?: string;

  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID(UUID_FORM)
  @asLowerCase
  reporter_id?: string;

  @ApiProperty({ required: false, format: 'uuid' })
  @IsOptional()
  @IsUUID(UUID_FORM)
  @asLowerCase
  team_id?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'created_at ≥ this' })
  @IsOptional()
  @IsTimestamp()
  created_after?: Date;

  @ApiProperty({ required: false, format: 'date-time', description: 'created_at < this' })
  @IsOptional()
  @IsTimestamp()
  created_before?: Date;

  @ApiProperty({ required: false, format: 'date-time', description: 'updated_at ≥ this' })
  @IsOptional()
  @IsTimestamp()
  updated_after?: Date;

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
  @RejectNul()
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

  @ApiProperty({
    required: false,
    maxLength: 200,
    pattern: LIST_CURSOR.source,
    description: 'The `X-Next-Cursor` header of the previous page (keyset paging); not combined with `page`',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(LIST_CURSOR, { message: 'cursor must be a next_cursor value returned by this endpoint' })
  cursor?: string;
}
