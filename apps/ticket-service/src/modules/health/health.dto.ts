import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ example: 'healthy' })
  status!: 'healthy';

  @ApiProperty({ example: 'ticket-service' })
  service!: string;

  @ApiProperty({ example: '1.0.0' })
  version!: string;

  @ApiProperty({ example: 'development' })
  environment!: string;
}

export class ReadinessDto {
  @ApiProperty({ example: 'ready' })
  status!: 'ready';

  @ApiProperty({ example: { database: 'up' } })
  checks!: { database: 'up' };
}
