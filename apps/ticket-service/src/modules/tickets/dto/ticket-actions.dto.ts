import { ApiProperty } from '@nestjs/swagger';
import { IsEnum } from 'class-validator';
import { TicketStatus } from '@ticketing/contracts';
import { TextField, UuidField } from '../../../common/http/fields';
import { MAX_RESOLUTION_NOTES_LENGTH } from './ticket-fields.dto';

export class ChangeStatusDto {
  @ApiProperty({ enum: TicketStatus, enumName: 'TicketStatus', example: TicketStatus.IN_PROGRESS })
  @IsEnum(TicketStatus)
  status!: TicketStatus;

  @TextField({
    min: 1,
    max: 2000,
    nullable: true,
    description: 'Why; the reopen reason (10–2000) when the target is REOPENED',
    example: 'Picked up by the on-call engineer',
  })
  notes?: string | null;

  @TextField({
    min: 10,
    max: MAX_RESOLUTION_NOTES_LENGTH,
    nullable: true,
    description: 'Required when the target is RESOLVED',
    example: null,
  })
  resolution_notes?: string | null;
}

export class ResolveTicketDto {
  @TextField({
    min: 10,
    max: MAX_RESOLUTION_NOTES_LENGTH,
    example: 'Restarted the primary and cleared the connection pool; root cause was a leak in the handler.',
  })
  resolution_notes!: string;
}

export class CloseTicketDto {
  @TextField({ min: 1, max: 2000, nullable: true, example: 'Confirmed fixed by the requester' })
  notes?: string | null;
}

export class ReopenTicketDto {
  @TextField({ min: 10, max: 2000, example: 'The outage came back at 09:10 UTC.' })
  reason!: string;
}

export class AssignTicketDto {
  @UuidField({ nullable: true, description: 'The new assignee; null unassigns' })
  assignee_id!: string | null;

  @UuidField({
    optional: true,
    nullable: true,
    description: 'Also move the ticket to this team (null: no team)',
    example: null,
  })
  team_id?: string | null;

  @TextField({ min: 1, max: 2000, nullable: true, example: 'John knows this database best' })
  notes?: string | null;
}
