import { ApiProperty } from '@nestjs/swagger';
import { CommentType } from '@ticketing/contracts';
import { IsBoolean, IsIn } from 'class-validator';
import { IsOmittable, TextField } from '../../../common/http/fields';
import { PageDto } from '../../../common/http/pagination';
import { AttachmentDto } from '../../attachments';

export const MAX_COMMENT_LENGTH = 10_000;

const CLIENT_COMMENT_TYPES = [CommentType.COMMENT, CommentType.RESOLUTION] as const;

export class CreateCommentDto {
  @TextField({ min: 1, max: MAX_COMMENT_LENGTH, example: 'Investigating: the primary shows 100% CPU since 14:28 UTC.' })
  content!: string;

  @ApiProperty({
    enum: CLIENT_COMMENT_TYPES,
    required: false,
    default: CommentType.COMMENT,
    description: 'SYSTEM comments are the service’s own',
  })
  @IsOmittable()
  @IsIn(CLIENT_COMMENT_TYPES)
  comment_type?: CommentType.COMMENT | CommentType.RESOLUTION;

  @ApiProperty({ required: false, default: false, description: 'Internal notes are visible to staff only' })
  @IsOmittable()
  @IsBoolean()
  is_internal?: boolean;
}

export class UpdateCommentDto {
  @TextField({
    min: 1,
    max: MAX_COMMENT_LENGTH,
    example: 'Investigating: the primary shows 100% CPU since 14:28 UTC (corrected).',
  })
  content!: string;
}

export class CommentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ticket_id!: string;

  @ApiProperty({ format: 'uuid' })
  author_id!: string;

  @ApiProperty({ example: 'Investigating: the primary shows 100% CPU since 14:28 UTC.', maxLength: MAX_COMMENT_LENGTH })
  content!: string;

  @ApiProperty({ enum: CommentType, enumName: 'CommentType' })
  comment_type!: CommentType;

  @ApiProperty()
  is_internal!: boolean;

  @ApiProperty({ type: [AttachmentDto] })
  attachments!: AttachmentDto[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ description: 'True once the content was changed after posting' })
  edited!: boolean;
}

export class CommentPageDto extends PageDto(CommentDto) {}
