import { Controller, Get, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import { TeamMetricsDto, TeamMetricsQueryDto } from './dto/team-metrics.dto';
import { TeamMetricsService } from './team-metrics.service';

@ApiTags('teams')
@Controller('teams/:team_id/metrics')
export class TeamMetricsController {
  constructor(private readonly metrics: TeamMetricsService) {}

  @Get()
  @Auth(Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN)
  @ApiUuidParams('team_id')
  @ApiValidationResponse()
  @ApiOperation({
    summary: 'SLA compliance, response and resolution times, open and breached tickets of a team',
    operationId: 'getTeamMetrics',
  })
  @ApiOkResponse({ type: TeamMetricsDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  report(
    @CurrentUser() user: Principal,
    @UuidParam('team_id') teamId: string,
    @Query() query: TeamMetricsQueryDto,
  ): Promise<TeamMetricsDto> {
    return this.metrics.report(user, teamId, query);
  }
}
