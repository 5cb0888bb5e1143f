import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth } from '../../common/auth/auth.decorators';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { EventFeedDto, EventFeedQueryDto } from './dto/event.dto';
import { EventsService } from './events.service';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Auth(Role.DEVOPS_ENGINEER, Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN)
  @ApiValidationResponse()
  @ApiOperation({
    summary: 'The change feed: every ticket event once, oldest first, cursor-paginated',
    operationId: 'listEvents',
  })
  @ApiOkResponse({ type: EventFeedDto })
  feed(@Query() query: EventFeedQueryDto): Promise<EventFeedDto> {
    return this.events.feed(query);
  }
}
