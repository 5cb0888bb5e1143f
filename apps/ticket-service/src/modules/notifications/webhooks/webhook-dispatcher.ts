import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In } from 'typeorm';
import { Clock } from '../../../common/clock';
import { JobScheduler } from '../../../common/jobs/job-scheduler';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { toEventDto } from '../events.service';
import { OutboxEvent } from '../outbox-event.entity';
import { retryDelaySeconds, signWebhook } from './webhook-signing';

const BATCH_SIZE = 20;
/** A claimed attempt is hidden from other dispatchers this long; a crashed sender's claim then expires. */
const LEASE_SECONDS = 120;

interface Claim {
  deliveryId: string;
  attempt: number;
  url: string;
  secret: string;
  event: OutboxEvent;
}

interface Outcome {
  status: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Delivers webhook events at least once. Each pass claims due deliveries with FOR UPDATE SKIP LOCKED and
 * leases them (so several instances share the work and never send the same attempt twice), sends them
 * outside any transaction, then logs the attempt and schedules a retry with exponential backoff or gives up
 * after the configured number of attempts.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
  ) {}

  onModuleInit(): void {
    // With notifications off, events and deliveries are still recorded; nothing is sent.
    if (!this.config.notifications.enabled) return;
    this.scheduler.schedule({
      name: 'webhook-dispatcher',
      intervalMs: this.config.notifications.webhookDispatchIntervalMs,
      run: () => this.runOnce(),
    });
  }

  /** One pass over the due deliveries; returns how many attempts were made. */
  async runOnce(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const claims = await this.claim();
      await Promise.all(claims.map(async (claim) => this.record(claim, await this.send(claim))));
      attempted += claims.length;
      if (claims.length < BATCH_SIZE) return attempted;
    }
  }

  private async claim(): Promise<Claim[]> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager.query<
        { delivery_id: string; attempts: number; url: string; secret: string; event_id: string }[]
      >(
        `SELECT d.id AS delivery_id, d.attempts, s.url, s.secret, d.event_id
         FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
         WHERE d.state = 'PENDING' AND d.next_attempt_at <= $1 AND s.active AND s.deleted_at IS NULL
         ORDER BY d.next_attempt_at, d.id
         LIMIT ${BATCH_SIZE}
         FOR UPDATE OF d SKIP LOCKED`,
        [now],
      );
      if (rows.length === 0) return [];
      await manager.query(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $2 WHERE id = ANY($1::uuid[])`,
        [rows.map((row) => row.delivery_id), new Date(now.getTime() + LEASE_SECONDS * 1000)],
      );
      const events = await manager.getRepository(OutboxEvent).findBy({ id: In(rows.map((row) => row.event_id)) });
      const byId = new Map(events.map((event) => [event.id, event]));
      return rows.map((row) => ({
        deliveryId: row.delivery_id,
        attempt: row.attempts + 1,
        url: row.url,
        secret: row.secret,
        event: byId.get(row.event_id)!,
      }));
    });
  }

  private async send(claim: Claim): Promise<Outcome> {
    const body = JSON.stringify(toEventDto(claim.event));
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const started = performance.now();
    try {
      const response = await fetch(claim.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'ticket-service-webhooks',
          'X-Ticket-Event-Id': claim.event.id,
          'X-Ticket-Event-Type': claim.event.type,
          'X-Ticket-Timestamp': String(timestamp),
          'X-Ticket-Signature': signWebhook(claim.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.notifications.webhookTimeoutMs),
      });
      await response.body?.cancel();
      const ok = response.status >= 200 && response.status < 300;
      return {
        status: response.status,
        error: ok ? null : `HTTP ${response.status}`,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      const reason =
        error instanceof Error ? (error.name === 'TimeoutError' ? 'timed out' : error.message) : String(error);
      return { status: null, error: reason.slice(0, 500), durationMs: Math.round(performance.now() - started) };
    }
  }

  private async record(claim: Claim, outcome: Outcome): Promise<void> {
    const now = this.clock.now();
    const delivered = outcome.error === null;
    const dead = !delivered && claim.attempt >= this.config.notifications.webhookMaxAttempts;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, duration_ms, response_status, error)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [claim.deliveryId, claim.attempt, now, outcome.durationMs, outcome.status, outcome.error],
      );
      await manager.query(
        `UPDATE webhook_deliveries
         SET state = $2, last_status = $3, last_error = $4, delivered_at = $5, next_attempt_at = $6
         WHERE id = $1 AND attempts = $7`,
        [
          claim.deliveryId,
          delivered ? 'DELIVERED' : dead ? 'DEAD' : 'PENDING',
          outcome.status,
          outcome.error,
          delivered ? now : null,
          new Date(now.getTime() + retryDelaySeconds(claim.attempt) * 1000),
          // A redeliver (or a newer claim) since this attempt started wins over its outcome.
          claim.attempt,
        ],
      );
    });
  }
}
