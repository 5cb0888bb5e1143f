import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/auth.decorators';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { HealthDto, ReadinessDto } from './health.dto';
import { HealthService } from './health.service';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up', operationId: 'getHealth' })
  @ApiOkResponse({ type: HealthDto })
  liveness(): HealthDto {
    return this.health.liveness();
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers', operationId: 'getReadiness' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'The database is unreachable' })
  readiness(): Promise<ReadinessDto> {
    return this.health.readiness();
  }
}
