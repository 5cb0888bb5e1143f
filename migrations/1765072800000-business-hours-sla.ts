import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Business-hours SLA clocks.
 * - `sla_calendars`: immutable versions of the default calendar (team_id NULL) and of team overrides; a PUT
 *   supersedes the current version with a new one, so a ticket can keep counting on the version it was created
 *   with. One current version per scope (the two unique partial indexes). The default starts as Mon–Fri
 *   09:00–17:00 UTC.
 * - `sla_policies.clock`: every existing policy stays `24x7`, so today's due dates do not change.
 * - `tickets`: the clock and calendar version the ticket counts on, the instants at which its targets warn
 *   (stored so that the scanner's SQL only compares timestamps), and the time to first response and to
 *   resolution on its clock (team metrics). Existing tickets get what the 24x7 formulas gave them.
 */
export class BusinessHoursSla1765072800000 implements MigrationInterface {
  name = 'BusinessHoursSla1765072800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sla_calendars (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid,
        time_zone varchar(64) NOT NULL,
        week jsonb NOT NULL,
        holidays jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        superseded_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_sla_calendars_current_team ON sla_calendars (team_id)
       WHERE superseded_at IS NULL AND team_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX ux_sla_calendars_current_default ON sla_calendars ((team_id IS NULL))
       WHERE superseded_at IS NULL AND team_id IS NULL`,
    );
    await q.query(`
      INSERT INTO sla_calendars (time_zone, week)
      VALUES ('UTC', '{"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]], "sat": [], "sun": []}')`);

    await q.query(
      `ALTER TABLE sla_policies ADD COLUMN clock varchar(16) NOT NULL DEFAULT '24x7'
       CHECK (clock IN ('24x7', 'business_hours'))`,
    );

    await q.query(`
      ALTER TABLE tickets
        ADD COLUMN sla_clock varchar(16) CHECK (sla_clock IN ('24x7', 'business_hours')),
        ADD COLUMN sla_calendar_id uuid REFERENCES sla_calendars (id),
        ADD COLUMN response_warning_at timestamptz,
        ADD COLUMN resolution_warning_at timestamptz,
        ADD COLUMN time_to_first_response_seconds double precision,
        ADD COLUMN time_to_resolution_seconds double precision`);
    await q.query(`
      UPDATE tickets SET
        sla_clock = CASE WHEN response_due_at IS NULL THEN NULL ELSE '24x7' END,
        sla_calendar_id = CASE WHEN response_due_at IS NULL THEN NULL
          ELSE (SELECT id FROM sla_calendars WHERE team_id IS NULL) END,
        response_warning_at = created_at + (response_due_at - created_at) * 0.8,
        resolution_warning_at = resolution_clock_started_at + (resolution_due_at - resolution_clock_started_at) * 0.8,
        time_to_first_response_seconds = extract(epoch FROM first_response_at - created_at),
        time_to_resolution_seconds = extract(epoch FROM resolved_at - created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tickets
        DROP COLUMN time_to_resolution_seconds,
        DROP COLUMN time_to_first_response_seconds,
        DROP COLUMN resolution_warning_at,
        DROP COLUMN response_warning_at,
        DROP COLUMN sla_calendar_id,
        DROP COLUMN sla_clock`);
    await q.query(`ALTER TABLE sla_policies DROP COLUMN clock`);
    await q.query(`DROP TABLE sla_calendars`);
  }
}
