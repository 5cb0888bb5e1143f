import { ApiProperty } from '@nestjs/swagger';
import { TicketPriority, TicketStatus } from '@ticketing/contracts';
import { IsOptional } from 'class-validator';
import { IsTimestamp } from '../../../common/http/timestamp';

/** A ticket count per value, keyed by the value; a value with no tickets may be left out. */
function countsBy(values: readonly string[]) {
  return Object.fromEntries(
    values.map((value) => [value, { type: 'integer' as const, format: 'int32', minimum: 0, maximum: 2 ** 31 - 1 }]),
  );
}

export class TeamMetricsQueryDto {
  @ApiProperty({
    required: false,
    format: 'date-time',
    description: 'Window start (inclusive), by ticket creation; default: 30 days before `to`',
  })
  @IsOptional()
  @IsTimestamp()
  from?: Date;

  @ApiProperty({ required: false, format: 'date-time', description: 'Window end (exclusive); default: now' })
  @IsOptional()
  @IsTimestamp()
  to?: Date;
}

export class OpenTicketsDto {
  @ApiProperty({ example: 12 })
  total!: number;

  @ApiProperty({
    type: 'object',
    properties: countsBy(Object.values(TicketStatus)),
    example: { NEW: 2, OPEN: 5, IN_PROGRESS: 4, PENDING_INFO: 1 },
    description: 'Open tickets by status',
  })
  by_status!: Record<string, number>;

  @ApiProperty({
    type: 'object',
    properties: countsBy(Object.values(TicketPriority)),
    example: { P1: 1, P2: 3, P3: 8 },
    description: 'Open tickets by priority',
  })
  by_priority!: Record<string, number>;
}

export class SlaComplianceDto {
  @ApiProperty({ example: 40, description: 'Tickets whose outcome is known: answered/resolved, or already past due' })
  measured!: number;

  @ApiProperty({ example: 36, description: 'Of those, answered/resolved by the due date' })
  met!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 90,
    description: 'met / measured × 100, null when nothing was measured',
  })
  compliance_percent!: number | null;
}

export class DurationStatsDto {
  @ApiProperty({ example: 42, description: 'Tickets measured' })
  count!: number;

  @ApiProperty({ type: Number, nullable: true, example: 1830 })
  mean_seconds!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 5400 })
  p90_seconds!: number | null;
}

export class TeamMetricsDto {
  @ApiProperty({ format: 'uuid' })
  team_id!: string;

  @ApiProperty({ format: 'date-time' })
  from!: string;

  @ApiProperty({ format: 'date-time' })
  to!: string;

  @ApiProperty({ type: OpenTicketsDto, description: 'Current open tickets of the team (not limited to the window)' })
  open_tickets!: OpenTicketsDto;

  @ApiProperty({ example: 2, description: 'Open tickets whose response or resolution SLA is breached now' })
  breached_open!: number;

  @ApiProperty({ type: SlaComplianceDto, description: 'Tickets created in the window' })
  response_sla!: SlaComplianceDto;

  @ApiProperty({ type: SlaComplianceDto, description: 'Tickets created in the window' })
  resolution_sla!: SlaComplianceDto;

  @ApiProperty({ type: DurationStatsDto, description: 'Creation to first response, tickets created in the window' })
  time_to_first_response!: DurationStatsDto;

  @ApiProperty({ type: DurationStatsDto, description: 'Creation to resolution, tickets created in the window' })
  time_to_resolution!: DurationStatsDto;
}
