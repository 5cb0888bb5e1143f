import { Controller, Get, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { type Page, PageQueryDto } from '../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import { type HistoryEntryDto, HistoryPageDto } from '../history';
import { TicketsService } from './tickets.service';

@ApiTags('tickets')
@Auth()
@Controller('tickets/:ticket_id/history')
export class TicketHistoryController {
  constructor(private readonly tickets: TicketsService) {}

  @Get()
  @ApiUuidParams('ticket_id')
  @ApiValidationResponse()
  @ApiOperation({ summary: 'The audit trail of a ticket, oldest first', operationId: 'listTicketHistory' })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  list(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<HistoryEntryDto>> {
    return this.tickets.listHistory(user, id, query);
  }
}
