import { Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../../common/auth/auth.decorators';
import type { Principal } from '../../../common/auth/principal';
import { ApiIdempotent, ApiValidationResponse } from '../../../common/http/api-responses';
import { IdempotencyInterceptor } from '../../../common/idempotency/idempotency.interceptor';
import { BulkTicketsDto, BulkTicketsResultDto } from './bulk-tickets.dto';
import { TicketBulkService } from './ticket-bulk.service';

@ApiTags('tickets')
@Auth()
@ApiValidationResponse()
@Controller('tickets/bulk')
export class TicketBulkController {
  constructor(private readonly bulk: TicketBulkService) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiIdempotent()
  @ApiOperation({
    summary:
      'Apply one action (status, assign, priority, tags, team) to up to 100 tickets, each as its single endpoint ' +
      'would and in its own transaction; one result per id, in request order',
    operationId: 'bulkUpdateTickets',
  })
  @ApiOkResponse({ type: BulkTicketsResultDto, description: 'Per-ticket results (200 or the 4xx the ticket got)' })
  apply(@CurrentUser() user: Principal, @Body() body: BulkTicketsDto): Promise<BulkTicketsResultDto> {
    return this.bulk.apply(user, body);
  }
}
