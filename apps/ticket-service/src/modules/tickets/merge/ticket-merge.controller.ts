import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth, CurrentUser } from '../../../common/auth/auth.decorators';
import type { Principal } from '../../../common/auth/principal';
import { ApiValidationResponse } from '../../../common/http/api-responses';
import { IfMatch } from '../../../common/http/etag';
import { UuidParam } from '../../../common/http/uuid-param';
import type { TicketDto } from '../dto/ticket.dto';
import { TicketChange } from '../ticket-change.decorator';
import { MergeTicketDto } from './merge-ticket.dto';
import { TicketMergeService } from './ticket-merge.service';

@ApiTags('tickets')
@Auth()
@ApiValidationResponse()
@Controller('tickets')
export class TicketMergeController {
  constructor(private readonly merges: TicketMergeService) {}

  @Post(':ticket_id/merge')
  @HttpCode(200)
  // Engineers and requesters never merge; a lead's right depends on both tickets' teams (the access policy).
  @Auth(Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN)
  @TicketChange({
    summary:
      "Merge this ticket into another (MANAGER, ADMIN, or the lead of both tickets' teams); answers the merged, " +
      "now CLOSED ticket. If-Match holds its version, `into_version` the target's",
    operationId: 'mergeTicket',
    conflicts:
      'TICKET_CLOSED (either ticket is closed) or CONFLICT (either was merged already: a chain, or a concurrent merge)',
  })
  merge(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') id: string,
    @Body() body: MergeTicketDto,
    @IfMatch() expected: number | null,
  ): Promise<TicketDto> {
    return this.merges.merge(user, id, body, expected);
  }
}
