import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that hold only the tickets the breach scanner can still have work for, so a pass costs the open
 * tickets, not the table. Each is restricted to rows whose flag is not recorded yet and that can still earn it,
 * and ordered by the due date the scan compares with `now`:
 * - breaches: unanswered (or answered late, which still counts until recorded) and past due — a recorded
 *   breach or an answer in time leaves the index for good;
 * - warnings: unanswered or unresolved and not yet due. Warning thresholds (start + (due − start) · 0.8) are
 *   not indexed: rows that never got their warning (closed or breached before 80%) would stay in such an
 *   index with a past threshold for ever, while `due > now` skips them and reaches only running clocks.
 * The scanner restates these predicates in its query so the planner can use them (SlaBreachScanner).
 */
export class SlaScanIndexes1764640800000 implements MigrationInterface {
  name = 'SlaScanIndexes1764640800000';

  async up(q: QueryRunner): Promise<void> {
    // Superseded: they also held every ticket answered or resolved in time, i.e. nearly the whole table.
    await q.query(`DROP INDEX ix_tickets_response_unrecorded`);
    await q.query(`DROP INDEX ix_tickets_resolution_unrecorded`);
    await q.query(
      `CREATE INDEX ix_tickets_sla_response_breach ON tickets (response_due_at)
       WHERE deleted_at IS NULL AND NOT response_breach_recorded AND response_due_at IS NOT NULL
         AND (first_response_at IS NULL OR first_response_at > response_due_at)`,
    );
    await q.query(
      `CREATE INDEX ix_tickets_sla_resolution_breach ON tickets (resolution_due_at)
       WHERE deleted_at IS NULL AND NOT resolution_breach_recorded AND resolution_due_at IS NOT NULL
         AND (resolved_at IS NULL OR resolved_at > resolution_due_at)`,
    );
    await q.query(
      `CREATE INDEX ix_tickets_sla_response_warning ON tickets (response_due_at)
       WHERE deleted_at IS NULL AND NOT response_warning_recorded AND response_due_at IS NOT NULL
         AND first_response_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_tickets_sla_resolution_warning ON tickets (resolution_due_at)
       WHERE deleted_at IS NULL AND NOT resolution_warning_recorded AND resolution_due_at IS NOT NULL
         AND resolved_at IS NULL AND pending_since IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_tickets_sla_resolution_warning`);
    await q.query(`DROP INDEX ix_tickets_sla_response_warning`);
    await q.query(`DROP INDEX ix_tickets_sla_resolution_breach`);
    await q.query(`DROP INDEX ix_tickets_sla_response_breach`);
    await q.query(
      `CREATE INDEX ix_tickets_response_unrecorded ON tickets (response_due_at) WHERE deleted_at IS NULL AND NOT response_breach_recorded`,
    );
    await q.query(
      `CREATE INDEX ix_tickets_resolution_unrecorded ON tickets (resolution_due_at) WHERE deleted_at IS NULL AND NOT resolution_breach_recorded`,
    );
  }
}
