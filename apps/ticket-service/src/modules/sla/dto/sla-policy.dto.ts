import { ApiProperty } from '@nestjs/swagger';
import { SlaClockType, TicketPriority } from '@ticketing/contracts';
import { IsEnum, IsInt, IsOptional, IsPositive, Max } from 'class-validator';

const MAX_MINUTES = 525_600; // one year

export class UpdateSlaPolicyDto {
  @ApiProperty({
    type: 'integer',
    example: 60,
    minimum: 1,
    maximum: MAX_MINUTES,
    description: 'Minutes until the first response is due',
  })
  @IsInt()
  @IsPositive()
  @Max(MAX_MINUTES)
  response_minutes!: number;

  @ApiProperty({
    type: 'integer',
    example: 240,
    minimum: 1,
    maximum: MAX_MINUTES,
    description: 'Minutes until resolution is due; at least response_minutes',
  })
  @IsInt()
  @IsPositive()
  @Max(MAX_MINUTES)
  resolution_minutes!: number;

  @ApiProperty({
    enum: SlaClockType,
    enumName: 'SlaClockType',
    required: false,
    description: 'How the targets count time; omitted keeps the current clock',
  })
  @IsOptional()
  @IsEnum(SlaClockType)
  clock?: SlaClockType;
}

export class SlaPolicyDto {
  @ApiProperty({ enum: TicketPriority, enumName: 'TicketPriority' })
  priority!: TicketPriority;

  @ApiProperty({ example: 60 })
  response_minutes!: number;

  @ApiProperty({ example: 240 })
  resolution_minutes!: number;

  @ApiProperty({
    enum: SlaClockType,
    enumName: 'SlaClockType',
    description: '24x7 counts every minute; business_hours only the working hours of the ticket’s calendar',
  })
  clock!: SlaClockType;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class SlaPolicyListDto {
  @ApiProperty({ type: [SlaPolicyDto], maxItems: Object.keys(TicketPriority).length, description: 'One per priority' })
  items!: SlaPolicyDto[];
}
