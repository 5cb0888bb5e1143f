import { Body, Controller, Get, Param, ParseEnumPipe, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Role, TicketPriority } from '@ticketing/contracts';
import { Auth } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { SlaPolicyDto, SlaPolicyListDto, UpdateSlaPolicyDto } from './dto/sla-policy.dto';
import { SlaPoliciesService } from './sla-policies.service';

/** A priority path segment; anything else is a 400. */
function priorityParam(): ParseEnumPipe<typeof TicketPriority> {
  return new ParseEnumPipe(TicketPriority, {
    exceptionFactory: () =>
      DomainError.validation('priority must be one of P1, P2, P3, P4', [
        { field: 'priority', message: 'must be one of P1, P2, P3, P4' },
      ]),
  });
}

@ApiTags('sla')
@Controller('sla/policies')
export class SlaController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @Get()
  @Auth()
  @ApiOperation({ summary: 'The SLA target of every priority', operationId: 'listSlaPolicies' })
  @ApiOkResponse({ type: SlaPolicyListDto })
  list(): Promise<SlaPolicyListDto> {
    return this.policies.list();
  }

  @Put(':priority')
  @Auth(Role.ADMIN)
  @ApiValidationResponse()
  @ApiParam({ name: 'priority', enum: TicketPriority, enumName: 'TicketPriority' })
  @ApiOperation({
    summary: 'Change the SLA target of a priority (applies to tickets created afterwards)',
    operationId: 'updateSlaPolicy',
  })
  @ApiOkResponse({ type: SlaPolicyDto })
  update(
    @Param('priority', priorityParam()) priority: TicketPriority,
    @Body() body: UpdateSlaPolicyDto,
  ): Promise<SlaPolicyDto> {
    return this.policies.update(priority, body);
  }
}
