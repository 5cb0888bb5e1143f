import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditTrail } from '../history';
import { RESOLUTION_BREACHED_SQL, RESOLUTION_WARNING_SQL, RESPONSE_BREACHED_SQL, RESPONSE_WARNING_SQL } from '../sla';
import { type ScannedTicket, type SlaFlagChange, slaFlagChange } from './sla-flag-changes';

/** Tickets each rule claims per transaction: enough to amortise a commit, few enough to hold locks briefly. */
const BATCH_SIZE = 1000;

const CLAIMED_COLUMNS = `t.id, t.response_warning_at AS "responseWarningAt", t.resolution_warning_at AS "resolutionWarningAt",
  t.pending_since AS "pendingSince", t.response_due_at AS "responseDueAt", t.resolution_due_at AS "resolutionDueAt",
  t.first_response_at AS "firstResponseAt", t.resolved_at AS "resolvedAt",
  t.response_breach_recorded AS "responseBreachRecorded", t.resolution_breach_recorded AS "resolutionBreachRecorded",
  t.response_warning_recorded AS "responseWarningRecorded", t.resolution_warning_recorded AS "resolutionWarningRecorded"`;

/**
 * Locks up to BATCH_SIZE tickets that `rule` finds due, taking them in the order of `dueColumn`. The order is that
 * of the rule's partial index, so the plan walks the index and stops at the limit: the rules' row estimates are
 * far too high for the planner to pick the index any other way (a sequential scan "finds" the limit early).
 */
const claimDue = (rule: string, dueColumn: string) => `
  SELECT * FROM (
    SELECT ${CLAIMED_COLUMNS} FROM tickets t WHERE t.deleted_at IS NULL AND ${rule}
    ORDER BY ${dueColumn} LIMIT :limit FOR UPDATE SKIP LOCKED
  ) AS due`;

/**
 * The due tickets, locked, in one statement. Each rule restates the predicate of its partial index (migration
 * SlaScanIndexes1764640800000) next to its SQL twin, so the planner can use the index. A response or resolution
 * that came after its due date still counts as a breach; such tickets stay in the breach indexes until recorded.
 */
const CLAIM_DUE_SQL = [
  claimDue(
    `NOT t.response_breach_recorded AND (t.first_response_at IS NULL OR t.first_response_at > t.response_due_at)
     AND t.response_due_at < :now AND ${RESPONSE_BREACHED_SQL}`,
    't.response_due_at',
  ),
  claimDue(
    `NOT t.resolution_breach_recorded AND (t.resolved_at IS NULL OR t.resolved_at > t.resolution_due_at)
     AND t.resolution_due_at < :now AND ${RESOLUTION_BREACHED_SQL}`,
    't.resolution_due_at',
  ),
  claimDue(`NOT t.response_warning_recorded AND ${RESPONSE_WARNING_SQL}`, 't.response_due_at'),
  claimDue(`NOT t.resolution_warning_recorded AND ${RESOLUTION_WARNING_SQL}`, 't.resolution_due_at'),
].join(' UNION ALL ');

/** Batches recorded side by side while a burst is drained. */
const CONCURRENT_BATCHES = 2;

interface ScannedBatch {
  /** Tickets locked, each counted once. */
  claimed: number;
  /** Tickets that got a flag recorded. */
  recorded: number;
}

/** Fewer than BATCH_SIZE: no rule had more. A batch with nothing new would be claimed again at once. */
const isLastBatch = (batch: ScannedBatch): boolean => batch.claimed < BATCH_SIZE || batch.recorded === 0;

/**
 * Records SLA breaches (one SLA_BREACH history row and one sla.breached event per ticket and kind) and warnings
 * at 80% of a target (one sla.warning event per kind), set-based: per transaction it claims a batch of due
 * tickets, updates their flags in one statement and writes all their history rows and events at once. Safe with
 * several instances: rows are claimed with FOR UPDATE SKIP LOCKED, the "not yet recorded" condition is re-checked
 * on the locked row, and what is new is computed from the locked row.
 */
@Injectable()
export class SlaBreachScanner implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly cls: ClsService,
    private readonly clock: Clock,
    private readonly scheduler: JobScheduler,
    private readonly trail: AuditTrail,
  ) {}

  onModuleInit(): void {
    if (!this.config.sla.enabled) return;
    this.scheduler.schedule({
      name: 'sla-breach-scanner',
      intervalMs: this.config.sla.checkIntervalSeconds * 1000,
      run: (stopping) => this.scan(stopping),
    });
  }

  /**
   * One full pass, or until `stopping` is aborted (shutdown): then each transaction under way finishes its batch
   * and the rest waits for the next start. Returns how many tickets got a breach or a warning recorded.
   */
  scan(stopping?: AbortSignal): Promise<number> {
    return this.cls.run(async () => {
      const first = await this.scanBatch();
      if (isLastBatch(first) || stopping?.aborted) return first.recorded;
      // A burst: drained by concurrent transactions, so that the service and the database work at the same time.
      const drained = await Promise.all(
        Array.from({ length: CONCURRENT_BATCHES }, () => this.cls.run(() => this.drain(stopping))),
      );
      return drained.reduce((total, recorded) => total + recorded, first.recorded);
    });
  }

  private async drain(stopping: AbortSignal | undefined): Promise<number> {
    let recorded = 0;
    for (;;) {
      const batch = await this.scanBatch();
      recorded += batch.recorded;
      if (isLastBatch(batch) || stopping?.aborted) return recorded;
    }
  }

  @Transactional()
  private async scanBatch(): Promise<ScannedBatch> {
    const now = this.clock.now();
    const manager = this.txHost.tx;
    const [claimSql, claimParameters] = manager.connection.driver.escapeQueryWithParameters(CLAIM_DUE_SQL, {
      now,
      limit: BATCH_SIZE,
    });
    // The same ticket may come from two rules: the same locked row version, so either copy will do.
    const claimed = new Map(
      (await manager.query<ScannedTicket[]>(claimSql, claimParameters)).map((ticket) => [ticket.id, ticket]),
    );
    const notes = this.trail.actionNotes;
    const changes = [...claimed.values()].flatMap((ticket) => slaFlagChange(ticket, now, notes) ?? []);
    if (changes.length > 0) {
      await this.updateFlags(manager, changes);
      await this.trail.recordMany(manager, changes);
    }
    return { claimed: claimed.size, recorded: changes.length };
  }

  /**
   * One UPDATE for the whole batch, bumping `version` and `updated_at` as a save does (VersionColumn,
   * UpdateDateColumn). This departs from "audited tables are written only by saving loaded entities": the
   * TicketAuditSubscriber does not see it, so the history rows and events of these changes are written here,
   * through AuditTrail.recordMany, from the same pure rules the subscriber uses.
   */
  private async updateFlags(manager: EntityManager, changes: readonly SlaFlagChange[]): Promise<void> {
    await manager.query(
      `UPDATE tickets t
       SET response_breach_recorded = f.response_breach, resolution_breach_recorded = f.resolution_breach,
           response_warning_recorded = f.response_warning, resolution_warning_recorded = f.resolution_warning,
           version = t.version + 1, updated_at = CURRENT_TIMESTAMP
       FROM unnest($1::uuid[], $2::boolean[], $3::boolean[], $4::boolean[], $5::boolean[])
         AS f(id, response_breach, resolution_breach, response_warning, resolution_warning)
       WHERE t.id = f.id`,
      [
        changes.map((change) => change.ticketId),
        changes.map((change) => change.flags.responseBreachRecorded),
        changes.map((change) => change.flags.resolutionBreachRecorded),
        changes.map((change) => change.flags.responseWarningRecorded),
        changes.map((change) => change.flags.resolutionWarningRecorded),
      ],
    );
  }
}
