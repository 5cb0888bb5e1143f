import { PageDto } from '../../common/http/pagination';
import { ApiProperty } from '@nestjs/swagger';
import { HistoryChangeType } from '@ticketing/contracts';
import type { HistoryMetadata } from './ticket-history.entity';

export class HistoryEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ticket_id!: string;

  @ApiProperty({ enum: HistoryChangeType, enumName: 'HistoryChangeType' })
  change_type!: HistoryChangeType;

  @ApiProperty({ type: String, nullable: true, example: 'priority' })
  field_name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'P3' })
  old_value!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'P1' })
  new_value!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null = the system' })
  user_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { notes: 'Escalating to the database team' } })
  metadata!: HistoryMetadata;
}

export class HistoryPageDto extends PageDto(HistoryEntryDto) {}
