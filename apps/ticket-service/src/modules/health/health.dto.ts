import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ enum: ['healthy'] })
  status!: 'healthy';

  @ApiProperty({ example: 'ticket-service', maxLength: 64 })
  service!: string;

  @ApiProperty({ example: '1.0.0', maxLength: 64 })
  version!: string;

  @ApiProperty({ enum: ['development', 'test', 'production'], example: 'development' })
  environment!: string;
}

export class ReadinessChecksDto {
  @ApiProperty({ enum: ['up'] })
  database!: 'up';
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready'] })
  status!: 'ready';

  @ApiProperty({ type: ReadinessChecksDto })
  checks!: { database: 'up' };
}
