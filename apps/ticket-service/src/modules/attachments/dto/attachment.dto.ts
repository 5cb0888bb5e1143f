import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../../common/http/pagination';
import { MAX_FILENAME_LENGTH } from '../upload/file-name';
import { STORED_CONTENT_TYPES } from '../upload/file-type-policy';

/** An attachment on the wire. */
export class AttachmentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ticket_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The comment it was attached to' })
  comment_id!: string | null;

  @ApiProperty({
    example: 'postgres.log',
    maxLength: MAX_FILENAME_LENGTH,
    description: 'The original filename, sanitised',
  })
  filename!: string;

  @ApiProperty({
    enum: STORED_CONTENT_TYPES,
    example: 'text/plain',
    description: 'Derived from the extension, whose content was verified',
  })
  content_type!: string;

  @ApiProperty({ example: 48213 })
  size_bytes!: number;

  @ApiProperty({
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    maxLength: 64,
    pattern: '^[0-9a-f]{64}$',
    description: 'SHA-256, hex',
  })
  sha256!: string;

  @ApiProperty({ format: 'uuid' })
  uploaded_by!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({
    example: '/api/v1/attachments/0b5c1f3e-2d4a-4a8e-9b7e-3f0c2d1e5a6b',
    maxLength: 56,
    pattern: '^/api/v1/attachments/[0-9a-f-]{36}$',
  })
  download_url!: string;
}

export class AttachmentPageDto extends PageDto(AttachmentDto) {}
