import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import type { Response } from 'express';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiIdempotent, ApiValidationResponse, VERSION_ETAG_HEADERS } from '../../common/http/api-responses';
import { IfMatch, VersionETagInterceptor, withVersionETag } from '../../common/http/etag';
import type { Page } from '../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import { IdempotencyInterceptor } from '../../common/idempotency/idempotency.interceptor';
import {
  AssignTicketDto,
  ChangeStatusDto,
  CloseTicketDto,
  ReopenTicketDto,
  ResolveTicketDto,
} from './dto/ticket-actions.dto';
import { PatchTicketDto, TicketFieldsDto } from './dto/ticket-fields.dto';
import { TicketListQueryDto } from './dto/ticket-list-query.dto';
import { TicketDto, TicketPageDto } from './dto/ticket.dto';
import { TicketChange } from './ticket-change.decorator';
import { TicketListService } from './ticket-list.service';
import { parseTicketNumber } from './tickets.mapper';
import { TicketsService } from './tickets.service';

export const TOTAL_EXACT_HEADER = 'X-Total-Exact';
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

const TRANSITION_CONFLICT =
  'INVALID_STATUS_TRANSITION (detail names the allowed targets), REOPEN_WINDOW_EXPIRED or TICKET_CLOSED';
/** Reopening an alert's ticket while a newer ticket of the same alert is open would make two open ones. */
const REOPEN_CONFLICT = `${TRANSITION_CONFLICT}, or CONFLICT (another open ticket tracks the same alert)`;

@ApiTags('tickets')
@Auth()
@ApiValidationResponse()
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly ticketList: TicketListService,
  ) {}

  @Post()
  @UseInterceptors(VersionETagInterceptor, IdempotencyInterceptor)
  @ApiOperation({ summary: 'Open a ticket (the caller is the reporter)', operationId: 'createTicket' })
  @ApiIdempotent()
  @ApiCreatedResponse({
    type: TicketDto,
    description: 'Created; ETag carries the version',
    headers: VERSION_ETAG_HEADERS,
  })
  create(@CurrentUser() user: Principal, @Body() body: TicketFieldsDto): Promise<TicketDto> {
    return this.tickets.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'List and search tickets the caller may see', operationId: 'listTickets' })
  @ApiOkResponse({
    type: TicketPageDto,
    headers: {
      [TOTAL_EXACT_HEADER]: {
        description:
          '`true` when `total` was counted; `false` above 1000 matches, where `total` (and `pages`) is ' +
          "PostgreSQL's estimate of the number of matches (always more than 1000)",
        schema: { type: 'string', enum: ['true', 'false'] },
      },
      [NEXT_CURSOR_HEADER]: {
        description:
          'Present when more rows follow: pass it as `cursor` (same filters, sort_by and order) for the next ' +
          'page. Cursor paging stays fast however deep you go.',
        schema: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
      },
    },
  })
  async list(
    @CurrentUser() user: Principal,
    @Query() query: TicketListQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Page<TicketDto>> {
    const { page, totalExact, nextCursor } = await this.ticketList.list(user, query);
    res.setHeader(TOTAL_EXACT_HEADER, String(totalExact));
    if (nextCursor) res.setHeader(NEXT_CURSOR_HEADER, nextCursor);
    return page;
  }

  @Get(':ticket_id')
  @ApiUuidParams('ticket_id')
  @ApiOperation({ summary: 'Get a ticket', operationId: 'getTicket' })
  @ApiOkResponse({ type: TicketDto, headers: VERSION_ETAG_HEADERS })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Missing, deleted or not visible to the caller' })
  async get(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TicketDto> {
    return withVersionETag(res, await this.tickets.get(user, id));
  }

  @Get('by-number/:ticket_number')
  @ApiParam({
    name: 'ticket_number',
    description: 'The number people quote: `TKT-000042` (case-insensitive, leading zeros optional) or `42`',
    schema: { type: 'string', pattern: '^([Tt][Kk][Tt]-)?[0-9]{1,15}$', maxLength: 19, example: 'TKT-000001' },
  })
  @ApiOperation({
    summary: 'Get a ticket by its number',
    description: 'The same ticket, ETag and visibility as `GET /tickets/{ticket_id}`.',
    operationId: 'getTicketByNumber',
  })
  @ApiOkResponse({ type: TicketDto, headers: VERSION_ETAG_HEADERS })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such number, deleted, or not visible to the caller' })
  async getByNumber(
    @CurrentUser() user: Principal,
    @Param('ticket_number') text: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TicketDto> {
    const ticketNumber = parseTicketNumber(text);
    if (ticketNumber === null) {
      throw DomainError.validation('ticket_number must look like TKT-000042 or 42', [
        { field: 'ticket_number', message: 'must be TKT- followed by digits, or digits' },
      ]);
    }
    return withVersionETag(res, await this.tickets.getByNumber(user, ticketNumber));
  }

  @Put(':ticket_id')
  @TicketChange({
    summary: 'Replace every editable field (omitted optional fields become null)',
    operationId: 'replaceTicket',
    conflicts: 'TICKET_CLOSED',
  })
  replace(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: TicketFieldsDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.replace(user, id, body, expected);
  }

  @Patch(':ticket_id')
  @TicketChange({ summary: 'Change some editable fields', operationId: 'updateTicket', conflicts: 'TICKET_CLOSED' })
  patch(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: PatchTicketDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.patch(user, id, body, expected);
  }

  @Delete(':ticket_id')
  @HttpCode(204)
  @Auth(Role.ADMIN)
  @ApiUuidParams('ticket_id')
  @ApiOperation({ summary: 'Delete a ticket (soft: hidden everywhere, history kept)', operationId: 'deleteTicket' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@CurrentUser() user: Principal, @UuidParam('ticket_id') id: string): Promise<void> {
    return this.tickets.remove(user, id);
  }

  @Patch(':ticket_id/status')
  @TicketChange({
    summary: 'Move the ticket along the workflow',
    operationId: 'changeTicketStatus',
    conflicts: REOPEN_CONFLICT,
  })
  changeStatus(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: ChangeStatusDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.changeStatus(user, id, body, expected);
  }

  @Post(':ticket_id/resolve')
  @HttpCode(200)
  @TicketChange({
    summary: 'Resolve with resolution notes',
    operationId: 'resolveTicket',
    conflicts: TRANSITION_CONFLICT,
  })
  resolve(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: ResolveTicketDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.resolve(user, id, body, expected);
  }

  @Post(':ticket_id/close')
  @HttpCode(200)
  @TicketChange({ summary: 'Close', operationId: 'closeTicket', conflicts: TRANSITION_CONFLICT })
  close(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: CloseTicketDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.close(user, id, body, expected);
  }

  @Post(':ticket_id/reopen')
  @HttpCode(200)
  @TicketChange({
    summary: 'Reopen a resolved ticket, or a closed one within the reopen window',
    operationId: 'reopenTicket',
    conflicts: REOPEN_CONFLICT,
  })
  reopen(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: ReopenTicketDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.reopen(user, id, body, expected);
  }

  @Put(':ticket_id/assign')
  @TicketChange({
    summary: 'Assign (or unassign); a NEW ticket becomes OPEN when assigned',
    operationId: 'assignTicket',
    conflicts: 'TICKET_CLOSED',
  })
  assign(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: AssignTicketDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.tickets.assign(user, id, body, expected);
  }
}
