import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../../common/http/pagination';
import { UuidField } from '../../../common/http/fields';

export class AddFollowerDto {
  @UuidField({ optional: true, description: 'Who is to follow; omitted: the caller' })
  user_id?: string;
}

export class FollowerDto {
  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who added them (null = the system)' })
  added_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class FollowerPageDto extends PageDto(FollowerDto) {}
