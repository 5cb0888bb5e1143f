import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert intake: tickets opened by monitoring carry their alert (fingerprint, labels, generator URL, how often it
 * fired), and at most one open ticket exists per fingerprint — the partial unique index makes a second one
 * impossible even when deliveries race. `alert_routes` is the ordered label → team routing of the alerts module.
 */
export class AlertIntake1764986400000 implements MigrationInterface {
  name = 'AlertIntake1764986400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets
        ADD COLUMN alert_fingerprint varchar(200),
        ADD COLUMN alert_source varchar(100),
        ADD COLUMN alert_labels jsonb,
        ADD COLUMN alert_generator_url text,
        ADD COLUMN alert_occurrences integer NOT NULL DEFAULT 0,
        ADD COLUMN last_alert_at timestamptz,
        ADD COLUMN alert_resolved_at timestamptz,
        ADD COLUMN alert_owns_status boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE UNIQUE INDEX ux_tickets_open_alert_fingerprint ON tickets (alert_fingerprint)
      WHERE alert_fingerprint IS NOT NULL AND status NOT IN ('RESOLVED', 'CLOSED') AND deleted_at IS NULL`);
    // The previous ticket of a fingerprint (reopen or link), newest first.
    await q.query(`
      CREATE INDEX ix_tickets_alert_fingerprint ON tickets (alert_fingerprint, created_at DESC)
      WHERE alert_fingerprint IS NOT NULL`);
    await q.query(`
      CREATE TABLE alert_routes (
        position integer PRIMARY KEY CHECK (position >= 0),
        match jsonb NOT NULL,
        team_id uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_routes`);
    await q.query(`DROP INDEX ix_tickets_alert_fingerprint`);
    await q.query(`DROP INDEX ux_tickets_open_alert_fingerprint`);
    await q.query(`
      ALTER TABLE tickets
        DROP COLUMN alert_fingerprint,
        DROP COLUMN alert_source,
        DROP COLUMN alert_labels,
        DROP COLUMN alert_generator_url,
        DROP COLUMN alert_occurrences,
        DROP COLUMN last_alert_at,
        DROP COLUMN alert_resolved_at,
        DROP COLUMN alert_owns_status`);
  }
}
