import { ApiProperty } from '@nestjs/swagger';
import { IsEnum } from 'class-validator';
import { TicketLinkRelation, TicketLinkType, TicketStatus } from '@ticketing/contracts';
import { PageDto } from '../../../common/http/pagination';
import { UuidField } from '../../../common/http/fields';
import { MAX_TITLE_LENGTH } from '../dto/ticket-fields.dto';

export class CreateTicketLinkDto {
  @ApiProperty({ enum: TicketLinkType, enumName: 'TicketLinkType', example: TicketLinkType.BLOCKS })
  @IsEnum(TicketLinkType)
  type!: TicketLinkType;

  @UuidField({ description: 'The other ticket' })
  target_id!: string;
}

/** The other ticket of a link, as much as a list needs. */
export class LinkedTicketDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'TKT-000123', maxLength: 24 })
  ticket_number!: string;

  @ApiProperty({ maxLength: MAX_TITLE_LENGTH })
  title!: string;

  @ApiProperty({ enum: TicketStatus, enumName: 'TicketStatus' })
  status!: TicketStatus;
}

export class TicketLinkDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: TicketLinkRelation,
    enumName: 'TicketLinkRelation',
    description: 'The link as seen from this ticket: BLOCKED_BY, DUPLICATED_BY and CAUSES are the inverses',
  })
  type!: TicketLinkRelation;

  @ApiProperty({ type: LinkedTicketDto })
  ticket!: LinkedTicketDto;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who linked them (null = the system)' })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class TicketLinkPageDto extends PageDto(TicketLinkDto) {}
