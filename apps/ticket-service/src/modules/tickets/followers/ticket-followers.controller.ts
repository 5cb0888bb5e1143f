import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../../common/auth/auth.decorators';
import type { Principal } from '../../../common/auth/principal';
import { ErrorResponseDto } from '../../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../../common/http/api-responses';
import { type Page, PageQueryDto } from '../../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../../common/http/uuid-param';
import { AddFollowerDto, FollowerDto, FollowerPageDto } from './ticket-follower.dto';
import { TicketFollowersService } from './ticket-followers.service';

@ApiTags('tickets')
@Auth()
@ApiValidationResponse()
@Controller('tickets/:ticket_id/followers')
export class TicketFollowersController {
  constructor(private readonly followers: TicketFollowersService) {}

  @Get()
  @ApiUuidParams('ticket_id')
  @ApiOperation({ summary: 'Followers of a ticket, oldest first', operationId: 'listTicketFollowers' })
  @ApiOkResponse({ type: FollowerPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Missing, deleted or not visible to the caller' })
  list(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<FollowerDto>> {
    return this.followers.list(user, ticketId, query);
  }

  @Post()
  @ApiUuidParams('ticket_id')
  @ApiOperation({
    summary: 'Follow a ticket, or (staff) add someone, a requester included, as a follower',
    operationId: 'addTicketFollower',
  })
  @ApiCreatedResponse({ type: FollowerDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'CONFLICT: already a follower, or the reporter' })
  add(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Body() body: AddFollowerDto,
  ): Promise<FollowerDto> {
    return this.followers.add(user, ticketId, body.user_id);
  }

  @Delete(':user_id')
  @HttpCode(204)
  @ApiUuidParams('ticket_id', 'user_id')
  @ApiOperation({
    summary: 'Stop following (anyone), or remove a follower (staff)',
    operationId: 'removeTicketFollower',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such ticket, or the user does not follow it' })
  remove(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @UuidParam('user_id') userId: string,
  ): Promise<void> {
    return this.followers.remove(user, ticketId, userId);
  }
}
