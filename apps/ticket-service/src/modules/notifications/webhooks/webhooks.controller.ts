import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role } from '@ticketing/contracts';
import { Auth, CurrentUser } from '../../../common/auth/auth.decorators';
import type { Principal } from '../../../common/auth/principal';
import { ErrorResponseDto } from '../../../common/errors/error-response.dto';
import { ApiValidationResponse } from '../../../common/http/api-responses';
import { type Page, PageQueryDto } from '../../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../../common/http/uuid-param';
import {
  CreateWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookPageDto,
} from './webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Auth(Role.ADMIN)
@ApiValidationResponse()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Subscribe a URL to ticket events', operationId: 'createWebhook' })
  @ApiCreatedResponse({ type: WebhookDto })
  create(@CurrentUser() user: Principal, @Body() body: CreateWebhookDto): Promise<WebhookDto> {
    return this.webhooks.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'List webhook subscriptions', operationId: 'listWebhooks' })
  @ApiOkResponse({ type: WebhookPageDto })
  list(@Query() query: PageQueryDto): Promise<Page<WebhookDto>> {
    return this.webhooks.list(query);
  }

  @Get(':webhook_id')
  @ApiUuidParams('webhook_id')
  @ApiOperation({ summary: 'Get a webhook subscription', operationId: 'getWebhook' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@UuidParam('webhook_id') id: string): Promise<WebhookDto> {
    return this.webhooks.get(id);
  }

  @Delete(':webhook_id')
  @HttpCode(204)
  @ApiUuidParams('webhook_id')
  @ApiOperation({ summary: 'Unsubscribe (deliveries stop; the log is kept)', operationId: 'deleteWebhook' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@UuidParam('webhook_id') id: string): Promise<void> {
    return this.webhooks.remove(id);
  }

  @Get(':webhook_id/deliveries')
  @ApiUuidParams('webhook_id')
  @ApiOperation({
    summary: 'Delivery log of a subscription, newest first, with every attempt',
    operationId: 'listWebhookDeliveries',
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  deliveries(@UuidParam('webhook_id') id: string, @Query() query: PageQueryDto): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.deliveries(id, query);
  }

  @Post(':webhook_id/deliveries/:delivery_id/redeliver')
  @HttpCode(200)
  @ApiUuidParams('webhook_id', 'delivery_id')
  @ApiOperation({ summary: 'Send a delivery again', operationId: 'redeliverWebhook' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  redeliver(
    @UuidParam('webhook_id') id: string,
    @UuidParam('delivery_id') deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
