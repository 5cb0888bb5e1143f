import { PageDto } from '../../common/http/pagination';
import { ApiProperty } from '@nestjs/swagger';
import { HistoryChangeType } from '@ticketing/contracts';
import type { HistoryMetadata } from './ticket-history.entity';

/** The longest value a change can record: a ticket description (20,000 characters). */
const MAX_HISTORY_VALUE_LENGTH = 20_000;

export class HistoryEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ticket_id!: string;

  @ApiProperty({ enum: HistoryChangeType, enumName: 'HistoryChangeType' })
  change_type!: HistoryChangeType;

  @ApiProperty({ type: String, nullable: true, maxLength: 64, example: 'priority' })
  field_name!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: MAX_HISTORY_VALUE_LENGTH, example: 'P3' })
  old_value!: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: MAX_HISTORY_VALUE_LENGTH, example: 'P1' })
  new_value!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null = the system' })
  user_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { notes: 'Escalating to the database team' } })
  metadata!: HistoryMetadata;
}

export class HistoryPageDto extends PageDto(HistoryEntryDto) {}
