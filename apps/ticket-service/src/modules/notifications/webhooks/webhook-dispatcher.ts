import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Agent, request } from 'undici';
import { Clock } from '../../../common/clock';
import { JobScheduler } from '../../../common/jobs/job-scheduler';
import { serializeError } from '../../../common/logging/serialize-error';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { toEventDto } from '../events.service';
import { appConnections, type AttemptOutcome, type Claim, DeliveryQueue, ownConnections } from './delivery-queue';
import { DueDeliveryListener } from './due-delivery-listener';
import { MAX_ATTEMPT_ERROR_LENGTH } from './webhook.dto';
import { retryDelaySeconds, signWebhook } from './webhook-signing';

/** Attempts in flight at most per instance; a pass claims more when half of them have finished. */
const SEND_CONCURRENCY = 64;
const REFILL_AT = SEND_CONCURRENCY / 2;
/**
 * A claimed attempt is hidden from other dispatchers this long; a crashed sender's claim then expires. Claims are
 * sent at once (never more than free send slots), so one attempt holds its lease for at most the send timeout
 * (≤ 60 s) plus the time to record it.
 */
const LEASE_SECONDS = 120;
/** Outcomes logged per statement at most. */
const RECORD_BATCH = 500;
/** A response body is read (so its keep-alive connection is reused) up to this size, then the connection is cut. */
const MAX_DRAINED_BODY_BYTES = 64 * 1024;

/**
 * Delivers webhook events at least once. A pass claims due deliveries with FOR UPDATE SKIP LOCKED and a lease (so
 * several instances share the work and never send the same attempt twice), sends them outside any transaction,
 * with a bounded number in flight, and logs the attempts in batches, scheduling a retry with exponential backoff
 * or giving up after the configured number of attempts.
 *
 * Passes run one at a time per instance. On PostgreSQL a LISTEN session wakes the dispatcher as soon as a
 * transaction makes deliveries due; a notification arriving during a pass makes it claim again, so a receiver that
 * takes its whole timeout to answer never holds up the deliveries to the others. The periodic pass (JobScheduler)
 * stays as the safety net for retries coming due and notifications missed while the session was down; a pass
 * still sending polls at the same interval. The embedded PGlite serves every connection from one session, so a
 * notification only reaches the connection that committed it: there the dispatcher polls.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private listener: DueDeliveryListener | null = null;
  private running: Promise<number> | null = null;
  /** Makes the running pass claim again; null once it has made its last claim. */
  private wakeRunningPass: (() => void) | null = null;
  /** The pass that starts when the running one ends; every request meanwhile joins it. */
  private queued: Promise<number> | null = null;
  private stopped = false;
  private readonly queue: DeliveryQueue;
  /**
   * Keep-alive connections to the receivers. Sends go through undici's `request` rather than `fetch`: no WHATWG
   * Request, Response and stream objects per send, which were most of a send's CPU. Neither follows redirects.
   */
  private readonly agent: Agent;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
  ) {
    this.queue = new DeliveryQueue(config.db.url === null ? appConnections(dataSource) : ownConnections(config.db.url));
    const timeoutMs = config.notifications.webhookTimeoutMs;
    this.agent = new Agent({ connections: SEND_CONCURRENCY, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  onModuleInit(): void {
    // With notifications off, events and deliveries are still recorded; nothing is sent.
    if (!this.config.notifications.enabled) return;
    this.scheduler.schedule({
      name: 'webhook-dispatcher',
      intervalMs: this.config.notifications.webhookDispatchIntervalMs,
      run: () => this.runOnce(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.enabled || this.config.db.url === null) return;
    this.listener = new DueDeliveryListener(this.config.db.url, () => this.wake());
    await this.listener.start();
  }

  /**
   * Before the database pool closes: the pass in progress claims nothing more; what it is sending finishes (within
   * the webhook timeout) and is logged.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wakeRunningPass?.();
    await this.listener?.stop();
    await Promise.allSettled([this.running, this.queued]);
    await this.agent.close();
    await this.queue.close();
  }

  /**
   * A pass over the due deliveries: the one in progress claiming again, a new one, or one right after the one in
   * progress when that has made its last claim; resolves with the number of attempts the pass made, all of them
   * logged.
   */
  runOnce(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.running && this.wakeRunningPass) {
      this.wakeRunningPass();
      return this.running;
    }
    if (this.queued) return this.queued;
    if (!this.running) return this.startPass();
    const queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.stopped ? 0 : this.startPass();
      });
    this.queued = queued;
    return queued;
  }

  private wake(): void {
    this.runOnce().catch((error: unknown) => {
      this.logger.error({ err: serializeError(error) }, 'webhook pass failed');
    });
  }

  private startPass(): Promise<number> {
    const pass = this.pass().finally(() => {
      if (this.running === pass) this.running = null;
    });
    this.running = pass;
    return pass;
  }

  /**
   * Keeps up to SEND_CONCURRENCY attempts in flight until no due delivery is left to claim and every send has
   * ended. While sends are in flight it claims again when woken (runOnce) and every dispatch interval. Once the
   * dispatcher stops it claims nothing more.
   */
  private async pass(): Promise<number> {
    const attemptLog = new AttemptLogWriter((outcomes) => this.queue.record(outcomes));
    const sending = new Set<Promise<void>>();
    let attempted = 0;
    let claimAgain = true;
    let wake = (): void => {
      claimAgain = true;
    };
    this.wakeRunningPass = () => wake();
    try {
      while (!this.stopped && (claimAgain || sending.size > 0)) {
        if (claimAgain && sending.size <= REFILL_AT) {
          claimAgain = false;
          const room = SEND_CONCURRENCY - sending.size;
          const now = this.clock.now();
          const claims = await this.queue.claimDue(now, new Date(now.getTime() + LEASE_SECONDS * 1000), room);
          if (claims.length === room) claimAgain = true;
          attempted += claims.length;
          for (const claim of claims) {
            const inFlight: Promise<void> = this.send(claim)
              .then((outcome) => attemptLog.add(outcome))
              .finally(() => sending.delete(inFlight));
            sending.add(inFlight);
          }
        } else {
          // Until a send ends, someone asks for a pass, or the poll interval has passed.
          let poll: NodeJS.Timeout | undefined;
          const woken = new Promise<void>((resolve) => {
            wake = () => {
              claimAgain = true;
              resolve();
            };
            poll = setTimeout(wake, this.config.notifications.webhookDispatchIntervalMs);
          });
          await Promise.race([...sending, woken]);
          clearTimeout(poll);
        }
      }
    } finally {
      this.wakeRunningPass = null;
      // Also after a failed claim: what was sent gets logged (or its lease expires and it is sent again).
      await Promise.all(sending);
      await attemptLog.flush();
    }
    return attempted;
  }

  /** Sends one claimed attempt; never throws: a failure is an outcome. */
  private async send(claim: Claim): Promise<AttemptOutcome> {
    const body = JSON.stringify(toEventDto(claim.event));
    const attemptedAt = this.clock.now();
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const started = performance.now();
    let responseStatus: number | null;
    let error: string | null;
    try {
      const response = await request(claim.url, {
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
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.config.notifications.webhookTimeoutMs),
      });
      // The status decides; a response body that breaks off changes nothing.
      await drainBody(response.body).catch(() => undefined);
      responseStatus = response.statusCode;
      error = responseStatus >= 200 && responseStatus < 300 ? null : `HTTP ${responseStatus}`;
    } catch (failure) {
      responseStatus = null;
      error = failureReason(failure).slice(0, MAX_ATTEMPT_ERROR_LENGTH);
    }
    const durationMs = Math.round(performance.now() - started);
    const completedAt = this.clock.now();
    const delivered = error === null;
    const gaveUp = !delivered && claim.attempt >= this.config.notifications.webhookMaxAttempts;
    return {
      deliveryId: claim.deliveryId,
      attempt: claim.attempt,
      attemptedAt,
      durationMs,
      responseStatus,
      error,
      state: delivered ? 'DELIVERED' : gaveUp ? 'DEAD' : 'PENDING',
      deliveredAt: delivered ? completedAt : null,
      nextAttemptAt: new Date(completedAt.getTime() + retryDelaySeconds(claim.attempt) * 1000),
    };
  }
}

/**
 * Why a send failed, for the attempt log. Read by shape, not `instanceof Error`: the timeout is a DOMException,
 * which is not an instance of the Error of another realm (a VM context, as under Jest).
 */
function failureReason(failure: unknown): string {
  if (typeof failure === 'object' && failure !== null) {
    const { name, message } = failure as { name?: unknown; message?: unknown };
    if (name === 'TimeoutError') return 'timed out';
    if (typeof message === 'string') return message;
  }
  return typeof failure === 'string' ? failure : 'the request failed';
}

/**
 * Reads a response body to its end, so that undici returns the connection to its keep-alive pool (a body left
 * unread holds it). A larger body than a receiver has any reason to send is cut off instead, with its connection.
 */
async function drainBody(body: AsyncIterable<Buffer>): Promise<void> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_DRAINED_BODY_BYTES) break;
  }
}

/**
 * Writes attempt outcomes with one statement at a time; each statement takes every outcome that arrived while the
 * previous one ran (up to RECORD_BATCH), so the number of statements follows the database's pace, not the sends'.
 */
class AttemptLogWriter {
  private pending: AttemptOutcome[] = [];
  private writing: Promise<void> | null = null;
  private failure: { cause: unknown } | null = null;

  constructor(private readonly write: (outcomes: readonly AttemptOutcome[]) => Promise<void>) {}

  add(outcome: AttemptOutcome): void {
    this.pending.push(outcome);
    this.writing ??= this.drain();
  }

  /** Resolves when everything added is written; rejects with the first failed write. */
  async flush(): Promise<void> {
    await this.writing;
    if (this.failure) throw new Error('Logging webhook attempts failed', this.failure);
  }

  private async drain(): Promise<void> {
    // Outcomes of the same turn of the event loop go into the first statement together.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, RECORD_BATCH);
      try {
        await this.write(batch);
      } catch (error) {
        // Unlogged attempts keep their lease and are sent again when it expires (at least once).
        this.failure ??= { cause: error };
      }
    }
    this.writing = null;
  }
}
