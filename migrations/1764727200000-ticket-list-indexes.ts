import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that let the ticket list's orders and common filters read only the page they serve (benchmarked at
 * a million tickets, docs/benchmarks.md). Every list order ends with created_at DESC, id.
 */
export class TicketListIndexes1764727200000 implements MigrationInterface {
  name = 'TicketListIndexes1764727200000';

  async up(q: QueryRunner): Promise<void> {
    // sort_by=priority in both directions (the tie-break stays created_at DESC, so one index cannot serve both).
    await q.query(
      `CREATE INDEX ix_tickets_priority_created ON tickets (priority, created_at DESC, id) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_tickets_priority_desc_created ON tickets (priority DESC, created_at DESC, id) WHERE deleted_at IS NULL`,
    );
    // A team's queue by status (team_id alone, for filters and team checks, is its prefix).
    await q.query(`DROP INDEX ix_tickets_team`);
    await q.query(
      `CREATE INDEX ix_tickets_team_status_created ON tickets (team_id, status, created_at DESC, id) WHERE deleted_at IS NULL`,
    );
    // The status queues (status=NEW …) in list order.
    await q.query(`DROP INDEX ix_tickets_status_priority`);
    await q.query(
      `CREATE INDEX ix_tickets_status_created ON tickets (status, created_at DESC, id) WHERE deleted_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_tickets_status_created`);
    await q.query(`CREATE INDEX ix_tickets_status_priority ON tickets (status, priority) WHERE deleted_at IS NULL`);
    await q.query(`DROP INDEX ix_tickets_team_status_created`);
    await q.query(`CREATE INDEX ix_tickets_team ON tickets (team_id) WHERE deleted_at IS NULL`);
    await q.query(`DROP INDEX ix_tickets_priority_desc_created`);
    await q.query(`DROP INDEX ix_tickets_priority_created`);
  }
}
