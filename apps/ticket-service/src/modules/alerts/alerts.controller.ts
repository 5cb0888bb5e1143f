import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../common/http/api-responses';
import { fromAlertmanager, fromGeneric } from './alert-mapping';
import { AlertsService } from './alerts.service';
import { AlertRoutesDto } from './dto/alert-route.dto';
import { AlertIntakeResultDto, AlertmanagerPayloadDto, GenericAlertDto } from './dto/alert.dto';

/** Integrations post with a service account's token: DEVOPS_ENGINEER or above. */
const STAFF = [Role.DEVOPS_ENGINEER, Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN];

/** The unique open-fingerprint index refusing a second open ticket: only when a person reopens at that moment. */
const INTAKE_CONFLICT = {
  type: ErrorResponseDto,
  description:
    'CONFLICT: someone reopened an older ticket of the same alert at the same moment; nothing was stored, retry',
};

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Post()
  @HttpCode(200)
  @Auth(...STAFF)
  @ApiValidationResponse()
  @ApiOperation({
    summary: 'Take one alert: open, de-duplicate, reopen or note its ticket',
    operationId: 'postAlert',
  })
  @ApiOkResponse({ type: AlertIntakeResultDto })
  @ApiConflictResponse(INTAKE_CONFLICT)
  async post(@CurrentUser() principal: Principal, @Body() body: GenericAlertDto): Promise<AlertIntakeResultDto> {
    return { items: await this.alerts.ingest(principal, [fromGeneric(body)]) };
  }

  @Post('alertmanager')
  @HttpCode(200)
  @Auth(...STAFF)
  @ApiValidationResponse()
  @ApiOperation({
    summary: 'Take a Prometheus Alertmanager webhook notification (payload version 4)',
    description:
      'Each alert is handled like `POST /alerts`, all in one transaction; the answer is per alert, in order.',
    operationId: 'postAlertmanagerAlerts',
  })
  @ApiOkResponse({ type: AlertIntakeResultDto })
  @ApiConflictResponse(INTAKE_CONFLICT)
  async postAlertmanager(
    @CurrentUser() principal: Principal,
    @Body() body: AlertmanagerPayloadDto,
  ): Promise<AlertIntakeResultDto> {
    return { items: await this.alerts.ingest(principal, body.alerts.map(fromAlertmanager)) };
  }
}

@ApiTags('alerts')
@Controller('alert-routes')
export class AlertRoutesController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Auth(...STAFF)
  @ApiOperation({ summary: 'The alert routing rules, first match wins', operationId: 'listAlertRoutes' })
  @ApiOkResponse({ type: AlertRoutesDto })
  list(): Promise<AlertRoutesDto> {
    return this.alerts.listRoutes();
  }

  @Put()
  @Auth(Role.ADMIN)
  @ApiValidationResponse()
  @ApiOperation({ summary: 'Replace the alert routing rules', operationId: 'replaceAlertRoutes' })
  @ApiOkResponse({ type: AlertRoutesDto })
  replace(@Body() body: AlertRoutesDto): Promise<AlertRoutesDto> {
    return this.alerts.replaceRoutes(body);
  }
}
