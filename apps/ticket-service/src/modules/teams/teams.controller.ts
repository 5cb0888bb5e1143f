import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth } from '../../common/auth/auth.decorators';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { type Page, PageQueryDto } from '../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import { AddTeamMemberDto, CreateTeamDto, TeamDto, TeamPageDto, UpdateTeamDto } from './dto/team.dto';
import { TeamsService } from './teams.service';

const READERS = [Role.DEVOPS_ENGINEER, Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN];
const MANAGERS = [Role.MANAGER, Role.ADMIN];

@ApiTags('teams')
@Controller('teams')
@ApiValidationResponse()
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @Auth(...MANAGERS)
  @ApiOperation({ summary: 'Create a team', operationId: 'createTeam' })
  @ApiCreatedResponse({ type: TeamDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'CONFLICT: the name is taken' })
  create(@Body() body: CreateTeamDto): Promise<TeamDto> {
    return this.teams.create(body);
  }

  @Get()
  @Auth(...READERS)
  @ApiOperation({ summary: 'List teams', operationId: 'listTeams' })
  @ApiOkResponse({ type: TeamPageDto })
  list(@Query() query: PageQueryDto): Promise<Page<TeamDto>> {
    return this.teams.list(query);
  }

  @Get(':team_id')
  @Auth(...READERS)
  @ApiUuidParams('team_id')
  @ApiOperation({ summary: 'Get a team with its members', operationId: 'getTeam' })
  @ApiOkResponse({ type: TeamDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@UuidParam('team_id') id: string): Promise<TeamDto> {
    return this.teams.get(id);
  }

  @Patch(':team_id')
  @Auth(...MANAGERS)
  @ApiUuidParams('team_id')
  @ApiOperation({ summary: 'Rename a team', operationId: 'updateTeam' })
  @ApiOkResponse({ type: TeamDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'CONFLICT: the name is taken' })
  update(@UuidParam('team_id') id: string, @Body() body: UpdateTeamDto): Promise<TeamDto> {
    return this.teams.rename(id, body);
  }

  @Delete(':team_id')
  @HttpCode(204)
  @Auth(...MANAGERS)
  @ApiUuidParams('team_id')
  @ApiOperation({ summary: 'Delete a team that no ticket refers to', operationId: 'deleteTeam' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'CONFLICT: tickets or alert routes still refer to the team',
  })
  remove(@UuidParam('team_id') id: string): Promise<void> {
    return this.teams.remove(id);
  }

  @Post(':team_id/members')
  @Auth(...MANAGERS)
  @ApiUuidParams('team_id')
  @ApiOperation({ summary: 'Add a member, or change an existing member’s role', operationId: 'addTeamMember' })
  @ApiCreatedResponse({ type: TeamDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  addMember(@UuidParam('team_id') id: string, @Body() body: AddTeamMemberDto): Promise<TeamDto> {
    return this.teams.upsertMember(id, body);
  }

  @Delete(':team_id/members/:user_id')
  @HttpCode(204)
  @Auth(...MANAGERS)
  @ApiUuidParams('team_id', 'user_id')
  @ApiOperation({ summary: 'Remove a member', operationId: 'removeTeamMember' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  removeMember(@UuidParam('team_id') id: string, @UuidParam('user_id') userId: string): Promise<void> {
    return this.teams.removeMember(id, userId);
  }
}
