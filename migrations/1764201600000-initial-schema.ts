import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Teams, tickets (with the full-text vector and SLA clock columns), the append-only ticket history,
 * SLA policies seeded with the default targets, and idempotency keys.
 */
export class InitialSchema1764201600000 implements MigrationInterface {
  name = 'InitialSchema1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Team names are unique regardless of case ("Platform" and "platform" are the same team).
    await q.query(`CREATE UNIQUE INDEX uq_teams_name ON teams (lower(name))`);

    await q.query(`
      CREATE TABLE team_members (
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        role varchar(10) NOT NULL CHECK (role IN ('LEAD', 'MEMBER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    // "Which teams does this user lead / belong to" is asked on every team-scoped permission check.
    await q.query(`CREATE INDEX ix_team_members_user ON team_members (user_id)`);

    await q.query(`CREATE SEQUENCE ticket_number_seq AS bigint START 1`);
    await q.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_number bigint NOT NULL DEFAULT nextval('ticket_number_seq'),
        title varchar(200) NOT NULL,
        description text NOT NULL,
        category varchar(20) NOT NULL,
        priority varchar(2) NOT NULL DEFAULT 'P3',
        status varchar(20) NOT NULL DEFAULT 'NEW',
        environment varchar(20),
        affected_service varchar(200),
        impact_level varchar(10),
        tags text[] NOT NULL DEFAULT '{}',
        reporter_id uuid NOT NULL,
        assignee_id uuid,
        team_id uuid REFERENCES teams (id),
        resolution_notes text,
        response_due_at timestamptz,
        resolution_due_at timestamptz,
        resolution_clock_started_at timestamptz NOT NULL DEFAULT now(),
        pending_since timestamptz,
        paused_seconds integer NOT NULL DEFAULT 0,
        first_response_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        response_breach_recorded boolean NOT NULL DEFAULT false,
        resolution_breach_recorded boolean NOT NULL DEFAULT false,
        response_warning_recorded boolean NOT NULL DEFAULT false,
        resolution_warning_recorded boolean NOT NULL DEFAULT false,
        reopen_count integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'B')
        ) STORED,
        CONSTRAINT uq_tickets_ticket_number UNIQUE (ticket_number),
        CONSTRAINT ck_tickets_priority CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
        CONSTRAINT ck_tickets_status CHECK (status IN ('NEW', 'OPEN', 'IN_PROGRESS', 'PENDING_INFO', 'ESCALATED', 'RESOLVED', 'CLOSED', 'REOPENED'))
      )`);
    // Full-text search (q) over title and description.
    await q.query(`CREATE INDEX ix_tickets_search ON tickets USING gin (search_vector)`);
    // The default list order, and "my reported tickets" for END_USER, both skip soft-deleted rows.
    await q.query(`CREATE INDEX ix_tickets_created ON tickets (created_at DESC, id) WHERE deleted_at IS NULL`);
    await q.query(
      `CREATE INDEX ix_tickets_reporter ON tickets (reporter_id, created_at DESC) WHERE deleted_at IS NULL`,
    );
    // assignee_id filter (including "me") and the engineer's queue.
    await q.query(
      `CREATE INDEX ix_tickets_assignee ON tickets (assignee_id, created_at DESC) WHERE deleted_at IS NULL`,
    );
    // team_id filter and team-lead permission checks.
    await q.query(`CREATE INDEX ix_tickets_team ON tickets (team_id) WHERE deleted_at IS NULL`);
    // status/priority filters of the queue views.
    await q.query(`CREATE INDEX ix_tickets_status_priority ON tickets (status, priority) WHERE deleted_at IS NULL`);
    // tags filter (array overlap).
    await q.query(`CREATE INDEX ix_tickets_tags ON tickets USING gin (tags)`);
    // The breach scanner looks only at past-due tickets whose breach is not recorded yet.
    await q.query(
      `CREATE INDEX ix_tickets_response_unrecorded ON tickets (response_due_at) WHERE deleted_at IS NULL AND NOT response_breach_recorded`,
    );
    await q.query(
      `CREATE INDEX ix_tickets_resolution_unrecorded ON tickets (resolution_due_at) WHERE deleted_at IS NULL AND NOT resolution_breach_recorded`,
    );

    await q.query(`
      CREATE TABLE ticket_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        change_type varchar(30) NOT NULL,
        field_name varchar(50),
        old_value text,
        new_value text,
        user_id uuid,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // History of one ticket, oldest first.
    await q.query(`CREATE INDEX ix_ticket_history_ticket ON ticket_history (ticket_id, seq)`);
    await q.query(`
      CREATE FUNCTION reject_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ticket_history is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER ticket_history_append_only BEFORE UPDATE OR DELETE ON ticket_history
      FOR EACH ROW EXECUTE FUNCTION reject_history_change()`);
    await q.query(`
      CREATE TRIGGER ticket_history_no_truncate BEFORE TRUNCATE ON ticket_history
      FOR EACH STATEMENT EXECUTE FUNCTION reject_history_change()`);

    await q.query(`
      CREATE TABLE sla_policies (
        priority varchar(2) PRIMARY KEY CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
        response_minutes integer NOT NULL CHECK (response_minutes > 0),
        resolution_minutes integer NOT NULL CHECK (resolution_minutes > 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_sla_policies_order CHECK (response_minutes <= resolution_minutes)
      )`);
    await q.query(`
      INSERT INTO sla_policies (priority, response_minutes, resolution_minutes) VALUES
        ('P1', 60, 240), ('P2', 240, 1440), ('P3', 480, 4320), ('P4', 1440, 10080)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        route varchar(200) NOT NULL,
        key varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        state varchar(12) NOT NULL CHECK (state IN ('IN_PROGRESS', 'COMPLETED')),
        response_status integer,
        response_body json, -- json, not jsonb: a replay repeats the body byte for byte
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, route, key)
      )`);
    // The hourly expiry sweep.
    await q.query(`CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE sla_policies`);
    await q.query(`DROP TABLE ticket_history`);
    await q.query(`DROP FUNCTION reject_history_change()`);
    await q.query(`DROP TABLE tickets`);
    await q.query(`DROP SEQUENCE ticket_number_seq`);
    await q.query(`DROP TABLE team_members`);
    await q.query(`DROP TABLE teams`);
  }
}
