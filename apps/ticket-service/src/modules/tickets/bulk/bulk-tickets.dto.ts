import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsObject,
  IsString,
  IsUUID,
  Length,
} from 'class-validator';
import { BulkTicketAction, ErrorCode, TicketPriority, TicketStatus } from '@ticketing/contracts';
import { ERROR_BODY_LIMITS } from '../../../common/errors/error-response.dto';
import { IsOmittable, TextField, UuidField } from '../../../common/http/fields';
import { TicketDto } from '../dto/ticket.dto';
import { MAX_TAGS, normalizeTags } from '../dto/ticket-fields.dto';

export const MAX_BULK_IDS = 100;

const TAG_LIST = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 50 }, maxItems: MAX_TAGS } as const;

/**
 * One action applied to many tickets. The parameters are those of the single endpoint of the action: `status`
 * (+ `notes`, `resolution_notes`) as PATCH /status; `assignee_id` (+ `team_id`, `notes`) as PUT /assign;
 * `priority` and `team_id` as PATCH; `add` / `remove` for tags. A parameter the action does not use is a 400.
 */
export class BulkTicketsDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: MAX_BULK_IDS,
    uniqueItems: true,
    description: 'The tickets, answered in this order',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_IDS)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id)) : value,
  )
  ids!: string[];

  @ApiProperty({ enum: BulkTicketAction, enumName: 'BulkTicketAction', example: BulkTicketAction.STATUS })
  @IsEnum(BulkTicketAction)
  action!: BulkTicketAction;

  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: { type: 'integer', format: 'int32', minimum: 1, maximum: 2 ** 31 - 1 },
    example: { '3f1c1f0e-8d4b-4b43-9f43-2f6f2c1e1a11': 4 },
    description: 'Per ticket id, the version the change is based on (its ETag): a stale one answers 412 for that item',
  })
  @IsOmittable()
  @IsObject()
  versions?: Record<string, number>;

  @ApiProperty({ enum: TicketStatus, enumName: 'TicketStatus', required: false, description: 'action=status' })
  @IsOmittable()
  @IsEnum(TicketStatus)
  status?: TicketStatus;

  @TextField({ min: 1, max: 2000, nullable: true, description: 'action=status or assign: why' })
  notes?: string | null;

  @TextField({ min: 10, max: 10_000, nullable: true, description: 'action=status with RESOLVED' })
  resolution_notes?: string | null;

  @UuidField({ optional: true, nullable: true, description: 'action=assign: the assignee (null: unassign)' })
  assignee_id?: string | null;

  @UuidField({ optional: true, nullable: true, description: 'action=team (or with assign): the team (null: none)' })
  team_id?: string | null;

  @ApiProperty({ enum: TicketPriority, enumName: 'TicketPriority', required: false, description: 'action=priority' })
  @IsOmittable()
  @IsEnum(TicketPriority)
  priority?: TicketPriority;

  @ApiProperty({ ...TAG_LIST, required: false, description: 'action=tags: tags to add (normalised like PATCH)' })
  @IsOmittable()
  @Transform(({ value }: { value: unknown }) => normalizeTags(value))
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  add?: string[];

  @ApiProperty({ ...TAG_LIST, required: false, description: 'action=tags: tags to remove' })
  @IsOmittable()
  @Transform(({ value }: { value: unknown }) => normalizeTags(value))
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  remove?: string[];
}

export class BulkItemResultDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 200,
    maximum: 599,
    example: 200,
    description: 'What the single endpoint would have answered: 200, or 400/403/404/409/412',
  })
  status!: number;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', required: false })
  error_code?: ErrorCode;

  @ApiProperty({ required: false, maxLength: ERROR_BODY_LIMITS.detail, description: "The error body's detail" })
  detail?: string;

  @ApiProperty({ type: TicketDto, required: false, description: 'The updated ticket (status 200)' })
  ticket?: TicketDto;
}

export class BulkTicketsResultDto {
  @ApiProperty({ type: [BulkItemResultDto], maxItems: MAX_BULK_IDS, description: 'One per id, in request order' })
  results!: BulkItemResultDto[];
}
