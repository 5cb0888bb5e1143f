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
import { CreateTicketLinkDto, TicketLinkDto, TicketLinkPageDto } from './ticket-link.dto';
import { TicketLinksService } from './ticket-links.service';

@ApiTags('tickets')
@Auth()
@ApiValidationResponse()
@Controller('tickets/:ticket_id/links')
export class TicketLinksController {
  constructor(private readonly links: TicketLinksService) {}

  @Get()
  @ApiUuidParams('ticket_id')
  @ApiOperation({
    summary: "Links of a ticket in both directions, with the other ticket's number, title and status",
    operationId: 'listTicketLinks',
  })
  @ApiOkResponse({ type: TicketLinkPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Missing, deleted or not visible to the caller' })
  list(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<TicketLinkDto>> {
    return this.links.list(user, ticketId, query);
  }

  @Post()
  @ApiUuidParams('ticket_id')
  @ApiOperation({ summary: 'Link the ticket to another one (rights as for PATCH)', operationId: 'createTicketLink' })
  @ApiCreatedResponse({ type: TicketLinkDto, description: 'The link as seen from this ticket' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'This ticket or the target is missing or not visible' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'CONFLICT: linked so already, or a BLOCKS cycle (detail names it); TICKET_CLOSED',
  })
  create(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Body() body: CreateTicketLinkDto,
  ): Promise<TicketLinkDto> {
    return this.links.create(user, ticketId, body);
  }

  @Delete(':link_id')
  @HttpCode(204)
  @ApiUuidParams('ticket_id', 'link_id')
  @ApiOperation({ summary: 'Remove a link of the ticket (rights as for PATCH)', operationId: 'deleteTicketLink' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such ticket, or no such link on it' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'TICKET_CLOSED' })
  remove(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @UuidParam('link_id') linkId: string,
  ): Promise<void> {
    return this.links.remove(user, ticketId, linkId);
  }
}
