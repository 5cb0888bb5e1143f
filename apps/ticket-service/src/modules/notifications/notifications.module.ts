import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { OutboxEvent } from './outbox-event.entity';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookAttempt, WebhookDelivery, WebhookSubscription } from './webhooks/webhook.entities';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([OutboxEvent, WebhookSubscription, WebhookDelivery, WebhookAttempt])],
  controllers: [EventsController, WebhooksController],
  providers: [EventsService, WebhooksService, WebhookDispatcher],
})
export class NotificationsModule {}
