import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Principal } from '../../../common/auth/principal';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { findPage, type Page, type PageQueryDto } from '../../../common/http/pagination';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { OutboxEvent } from '../outbox-event.entity';
import { DUE_DELIVERIES_CHANNEL } from './due-delivery-listener';
import type { CreateWebhookDto, WebhookDeliveryDto, WebhookDto } from './webhook.dto';
import { WebhookAttempt, WebhookDelivery, WebhookSubscription } from './webhook.entities';
import { assertWebhookUrl } from './webhook-url';

function toWebhookDto(subscription: WebhookSubscription): WebhookDto {
  return {
    id: subscription.id,
    url: subscription.url,
    events: subscription.events,
    active: subscription.active,
    created_at: subscription.createdAt.toISOString(),
  };
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get subscriptions() {
    return this.txHost.tx.getRepository(WebhookSubscription);
  }

  @Transactional()
  async create(principal: Principal, input: CreateWebhookDto): Promise<WebhookDto> {
    const url = assertWebhookUrl(
      input.url,
      this.config.notifications.webhookAllowedHosts,
      this.config.app.environment === 'production',
    );
    const subscription = await this.subscriptions.save(
      this.subscriptions.create({
        url,
        events: [...new Set(input.events ?? [])],
        secret: input.secret,
        active: true,
        createdBy: principal.id,
      }),
    );
    return toWebhookDto(subscription);
  }

  async list(query: PageQueryDto): Promise<Page<WebhookDto>> {
    const subscriptions = this.subscriptions
      .createQueryBuilder('s')
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC');
    return findPage(subscriptions, query, (rows) => rows.map(toWebhookDto));
  }

  async get(id: string): Promise<WebhookDto> {
    return toWebhookDto(await this.load(id));
  }

  /** Stops deliveries at once; the subscription and its log are kept (soft delete). */
  @Transactional()
  async remove(id: string): Promise<void> {
    const subscription = await this.load(id);
    subscription.active = false;
    await this.subscriptions.save(subscription);
    await this.subscriptions.softRemove(subscription);
  }

  /** The log outlives the subscription: it stays readable after a delete. */
  async deliveries(subscriptionId: string, query: PageQueryDto): Promise<Page<WebhookDeliveryDto>> {
    await this.load(subscriptionId, { withDeleted: true });
    const deliveries = this.txHost.tx
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .where('d.subscription_id = :subscriptionId', { subscriptionId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'ASC');
    return findPage(deliveries, query, (rows) => this.toDeliveryDtos(rows));
  }

  /** Queues one more attempt now (also for DEAD deliveries); if it fails, a DEAD delivery stays DEAD. */
  @Transactional()
  async redeliver(subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.load(subscriptionId);
    const repository = this.txHost.tx.getRepository(WebhookDelivery);
    const delivery = await repository.findOne({
      where: { id: deliveryId, subscriptionId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!delivery) throw DomainError.notFound('Delivery');
    delivery.state = 'PENDING';
    delivery.nextAttemptAt = this.clock.now();
    delivery.deliveredAt = null;
    await repository.save(delivery);
    await this.txHost.tx.query(`SELECT pg_notify($1, '')`, [DUE_DELIVERIES_CHANNEL]);
    const [dto] = await this.toDeliveryDtos([delivery]);
    return dto;
  }

  private async load(id: string, options: { withDeleted?: boolean } = {}): Promise<WebhookSubscription> {
    const subscription = await this.subscriptions.findOne({ where: { id }, withDeleted: options.withDeleted ?? false });
    if (!subscription) throw DomainError.notFound('Webhook');
    return subscription;
  }

  private async toDeliveryDtos(deliveries: WebhookDelivery[]): Promise<WebhookDeliveryDto[]> {
    if (deliveries.length === 0) return [];
    const ids = deliveries.map((delivery) => delivery.id);
    const attempts = await this.txHost.tx
      .getRepository(WebhookAttempt)
      .createQueryBuilder('a')
      .where('a.delivery_id IN (:...ids)', { ids })
      .orderBy('a.attempt', 'ASC')
      .getMany();
    const events = await this.txHost.tx
      .getRepository(OutboxEvent)
      .createQueryBuilder('e')
      .where('e.id IN (:...ids)', { ids: deliveries.map((delivery) => delivery.eventId) })
      .getMany();
    const typeOf = new Map(events.map((event) => [event.id, event.type]));
    return deliveries.map((delivery) => ({
      id: delivery.id,
      event_id: delivery.eventId,
      event_type: typeOf.get(delivery.eventId)!,
      state: delivery.state,
      attempts: delivery.attempts,
      next_attempt_at: delivery.nextAttemptAt.toISOString(),
      delivered_at: delivery.deliveredAt?.toISOString() ?? null,
      created_at: delivery.createdAt.toISOString(),
      attempt_log: attempts
        .filter((attempt) => attempt.deliveryId === delivery.id)
        .map((attempt) => ({
          attempt: attempt.attempt,
          attempted_at: attempt.attemptedAt.toISOString(),
          duration_ms: attempt.durationMs,
          response_status: attempt.responseStatus,
          error: attempt.error,
        })),
    }));
  }
}
