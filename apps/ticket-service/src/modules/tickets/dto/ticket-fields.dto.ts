import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional, IsString, Length } from 'class-validator';
import { ImpactLevel, TicketCategory, TicketEnvironment, TicketPriority } from '@ticketing/contracts';
import { enumOrNull, IsOmittable, TextField, UuidField } from '../../../common/http/fields';

export const MAX_TAGS = 20;
export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 20_000;
export const MAX_AFFECTED_SERVICE_LENGTH = 200;
export const MAX_RESOLUTION_NOTES_LENGTH = 10_000;
/** One tag as documented: the bounds apply after trimming and lower-casing. */
export const TAG_ITEM = { type: 'string', minLength: 1, maxLength: 50 } as const;

/** Tags are trimmed, lower-cased and de-duplicated before they are validated. */
export function normalizeTags(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const normalized = value.map((tag: unknown) => (typeof tag === 'string' ? tag.trim().toLowerCase() : tag));
  return [...new Set(normalized)];
}

/**
 * The editable fields with their full-replacement semantics (POST and PUT): title, description and category
 * are required; an omitted optional field means null (tags: none, priority: P3).
 */
export class TicketFieldsDto {
  @TextField({ min: 5, max: MAX_TITLE_LENGTH, example: 'Production database is down' })
  title!: string;

  @TextField({
    min: 10,
    max: MAX_DESCRIPTION_LENGTH,
    example: 'The primary PostgreSQL stopped answering at 14:30 UTC. All services are affected.',
  })
  description!: string;

  @ApiProperty({ enum: TicketCategory, enumName: 'TicketCategory', example: TicketCategory.INCIDENT })
  @IsEnum(TicketCategory)
  category!: TicketCategory;

  @ApiProperty({ enum: TicketPriority, enumName: 'TicketPriority', required: false, default: TicketPriority.P3 })
  @IsOmittable()
  @IsEnum(TicketPriority)
  priority?: TicketPriority;

  @ApiProperty({ enum: enumOrNull(TicketEnvironment), required: false, nullable: true })
  @IsOptional()
  @IsEnum(TicketEnvironment)
  environment?: TicketEnvironment | null;

  @TextField({ min: 1, max: MAX_AFFECTED_SERVICE_LENGTH, nullable: true, example: 'PostgreSQL Database' })
  affected_service?: string | null;

  @ApiProperty({ enum: enumOrNull(ImpactLevel), required: false, nullable: true })
  @IsOptional()
  @IsEnum(ImpactLevel)
  impact_level?: ImpactLevel | null;

  @ApiProperty({
    type: 'array',
    items: TAG_ITEM,
    required: false,
    maxItems: MAX_TAGS,
    example: ['database', 'production'],
    description: 'Trimmed, lower-cased, de-duplicated; each 1–50 characters',
  })
  @IsOmittable()
  @Transform(({ value }: { value: unknown }) => normalizeTags(value))
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  tags?: string[];

  @UuidField({ optional: true, nullable: true, description: 'The owning team', example: null })
  team_id?: string | null;
}

/** Every field optional; the ones sent are changed. Required fields may not be null. */
export class PatchTicketDto {
  @TextField({ min: 5, max: MAX_TITLE_LENGTH, optional: true, example: 'Production database is down' })
  title?: string;

  @TextField({
    min: 10,
    max: MAX_DESCRIPTION_LENGTH,
    optional: true,
    example: 'The primary PostgreSQL stopped answering at 14:30 UTC. All services are affected.',
  })
  description?: string;

  @ApiProperty({ enum: TicketCategory, enumName: 'TicketCategory', required: false })
  @IsOmittable()
  @IsEnum(TicketCategory)
  category?: TicketCategory;

  @ApiProperty({ enum: TicketPriority, enumName: 'TicketPriority', required: false })
  @IsOmittable()
  @IsEnum(TicketPriority)
  priority?: TicketPriority;

  @ApiProperty({ enum: enumOrNull(TicketEnvironment), required: false, nullable: true })
  @IsOptional()
  @IsEnum(TicketEnvironment)
  environment?: TicketEnvironment | null;

  @TextField({ min: 1, max: MAX_AFFECTED_SERVICE_LENGTH, nullable: true, example: 'PostgreSQL Database' })
  affected_service?: string | null;

  @ApiProperty({ enum: enumOrNull(ImpactLevel), required: false, nullable: true })
  @IsOptional()
  @IsEnum(ImpactLevel)
  impact_level?: ImpactLevel | null;

  @ApiProperty({ type: 'array', items: TAG_ITEM, required: false, maxItems: MAX_TAGS, example: ['database'] })
  @IsOmittable()
  @Transform(({ value }: { value: unknown }) => normalizeTags(value))
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  tags?: string[];

  @UuidField({ optional: true, nullable: true, example: null })
  team_id?: string | null;
}
