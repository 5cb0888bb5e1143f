import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import { SlaCalendarDto, WorkingCalendarDto } from './dto/sla-calendar.dto';
import { SlaCalendarsService } from './sla-calendars.service';

const CONCURRENT_CHANGE = 'Another change of the same calendar was committed at the same time; send it again';

@ApiTags('sla')
@Controller('sla/calendar')
export class SlaCalendarController {
  constructor(private readonly calendars: SlaCalendarsService) {}

  @Get()
  @Auth()
  @ApiOperation({ summary: 'The default working calendar of business-hours SLA clocks', operationId: 'getSlaCalendar' })
  @ApiOkResponse({ type: SlaCalendarDto })
  get(): Promise<SlaCalendarDto> {
    return this.calendars.getDefault();
  }

  @Put()
  @Auth(Role.ADMIN)
  @ApiValidationResponse()
  @ApiOperation({
    summary: 'Replace the default working calendar (applies to tickets created afterwards)',
    operationId: 'replaceSlaCalendar',
  })
  @ApiOkResponse({ type: SlaCalendarDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: CONCURRENT_CHANGE })
  replace(@Body() body: WorkingCalendarDto): Promise<SlaCalendarDto> {
    return this.calendars.replaceDefault(body);
  }
}

@ApiTags('sla')
@Controller('teams/:team_id/calendar')
export class TeamCalendarController {
  constructor(private readonly calendars: SlaCalendarsService) {}

  @Get()
  @Auth()
  @ApiUuidParams('team_id')
  @ApiOperation({
    summary: 'The working calendar of a team’s new tickets: its override, else the default (team_id null)',
    operationId: 'getTeamCalendar',
  })
  @ApiOkResponse({ type: SlaCalendarDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@UuidParam('team_id') teamId: string): Promise<SlaCalendarDto> {
    return this.calendars.getForTeam(teamId);
  }

  @Put()
  @Auth(Role.TEAM_LEAD, Role.ADMIN)
  @ApiUuidParams('team_id')
  @ApiValidationResponse()
  @ApiOperation({
    summary:
      'Set the team’s own working calendar (ADMIN, or a lead of the team; applies to tickets created afterwards)',
    operationId: 'replaceTeamCalendar',
  })
  @ApiOkResponse({ type: SlaCalendarDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: CONCURRENT_CHANGE })
  replace(
    @CurrentUser() user: Principal,
    @UuidParam('team_id') teamId: string,
    @Body() body: WorkingCalendarDto,
  ): Promise<SlaCalendarDto> {
    return this.calendars.replaceForTeam(user, teamId, body);
  }

  @Delete()
  @HttpCode(204)
  @Auth(Role.TEAM_LEAD, Role.ADMIN)
  @ApiUuidParams('team_id')
  @ApiOperation({
    summary: 'Drop the team’s override: its new tickets use the default calendar',
    operationId: 'deleteTeamCalendar',
  })
  @ApiNoContentResponse({ description: 'The team uses the default calendar' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@CurrentUser() user: Principal, @UuidParam('team_id') teamId: string): Promise<void> {
    return this.calendars.removeForTeam(user, teamId);
  }
}
