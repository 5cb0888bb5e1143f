import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';
import { Clock } from '../../common/clock';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import {
  computeBreaches,
  computeWarnings,
  RESOLUTION_BREACHED_SQL,
  RESOLUTION_WARNING_SQL,
  RESPONSE_BREACHED_SQL,
  RESPONSE_WARNING_SQL,
  SLA_WARNING_SHARE,
} from '../sla';
import { Ticket } from './ticket.entity';

const BATCH_SIZE = 200;

/**
 * Records SLA breaches: marks each newly breached ticket (the audit subscriber then writes exactly one
 * SLA_BREACH row per kind), and warnings at 80% of a target (one sla.warning event per kind). Safe with several instances: rows are claimed with FOR UPDATE SKIP LOCKED and
 * the "not yet recorded" condition is re-checked on the locked row.
 */
@Injectable()
export class SlaBreachScanner implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly cls: ClsService,
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
  ) {}

  onModuleInit(): void {
    if (!this.config.sla.enabled) return;
    this.scheduler.schedule({
      name: 'sla-breach-scanner',
      intervalMs: this.config.sla.checkIntervalSeconds * 1000,
      run: () => this.scan(),
    });
  }

  /** One full pass; returns how many tickets got a breach recorded. */
  scan(): Promise<number> {
    return this.cls.run(async () => {
      let recorded = 0;
      for (;;) {
        const batch = await this.scanBatch();
        recorded += batch;
        if (batch < BATCH_SIZE) return recorded;
      }
    });
  }

  @Transactional()
  private async scanBatch(): Promise<number> {
    const now = this.clock.now();
    const repository = this.txHost.tx.getRepository(Ticket);
    const tickets = await repository
      .createQueryBuilder('t')
      .where(
        `((NOT t.response_breach_recorded AND t.response_due_at < :now AND ${RESPONSE_BREACHED_SQL})
          OR (NOT t.resolution_breach_recorded AND t.resolution_due_at < :now AND ${RESOLUTION_BREACHED_SQL})
          OR (NOT t.response_warning_recorded AND ${RESPONSE_WARNING_SQL})
          OR (NOT t.resolution_warning_recorded AND ${RESOLUTION_WARNING_SQL}))`,
        { now },
      )
      .orderBy('t.id')
      .limit(BATCH_SIZE)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    for (const ticket of tickets) {
      const breaches = computeBreaches(ticket, now);
      ticket.responseBreachRecorded ||= breaches.response;
      ticket.resolutionBreachRecorded ||= breaches.resolution;
      const warnings = computeWarnings(ticket, now, SLA_WARNING_SHARE);
      ticket.responseWarningRecorded ||= warnings.response;
      ticket.resolutionWarningRecorded ||= warnings.resolution;
      await repository.save(ticket); // one at a time: the audit subscriber writes through this connection
    }
    return tickets.length;
  }
}
