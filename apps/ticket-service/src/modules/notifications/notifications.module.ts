import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryModule } from '../history';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { OutboxEvent } from './outbox-event.entity';
import { OutboxSink } from './outbox.sink';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookAttempt, WebhookDelivery, WebhookSubscription } from './webhooks/webhook.entities';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/** Owns the outbox and the webhook tables; plugs into the history module's audit sinks. */
@Module({
  imports: [
    TypeOrmModule.forFeature([OutboxEvent, WebhookSubscription, WebhookDelivery, WebhookAttempt]),
    HistoryModule,
  ],
  controllers: [EventsController, WebhooksController],
  providers: [EventsService, WebhooksService, WebhookDispatcher, OutboxSink],
})
export class NotificationsModule {}
