import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: ticket events written in the same transaction as the change. `xid` lets the
 * change feed hold back events of transactions that may still commit, so readers never skip one.
 */
export class OutboxEvents1764288000000 implements MigrationInterface {
  name = 'OutboxEvents1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        type varchar(40) NOT NULL,
        occurred_at timestamptz NOT NULL,
        ticket_id uuid NOT NULL,
        actor_id uuid,
        internal boolean NOT NULL DEFAULT false,
        data jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT uq_outbox_events_seq UNIQUE (seq)
      )`);
    // The change feed pages in (xid, seq) order.
    await q.query(`CREATE INDEX ix_outbox_events_feed ON outbox_events (xid, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_events`);
  }
}
