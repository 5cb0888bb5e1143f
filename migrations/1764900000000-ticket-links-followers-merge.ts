import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queue hygiene: links between tickets, followers of a ticket, and the ticket a merged one went into. All three
 * belong to the tickets module.
 */
export class TicketLinksFollowersMerge1764900000000 implements MigrationInterface {
  name = 'TicketLinksFollowersMerge1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN merged_into_id uuid NULL REFERENCES tickets (id)`);
    await q.query(`
      CREATE TABLE ticket_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(20) NOT NULL CHECK (type IN ('RELATES_TO', 'BLOCKS', 'DUPLICATE_OF', 'CAUSED_BY')),
        source_ticket_id uuid NOT NULL REFERENCES tickets (id),
        target_ticket_id uuid NOT NULL REFERENCES tickets (id),
        created_by uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_ticket_links_not_self CHECK (source_ticket_id <> target_ticket_id)
      )`);
    // One link of a type between two tickets, whichever way round: the duplicate check, and the guard of a race.
    await q.query(`
      CREATE UNIQUE INDEX ux_ticket_links_pair ON ticket_links
        (type, LEAST(source_ticket_id, target_ticket_id), GREATEST(source_ticket_id, target_ticket_id))`);
    // GET links reads both directions; the BLOCKS cycle walk follows source → target.
    await q.query(`CREATE INDEX ix_ticket_links_source ON ticket_links (source_ticket_id, type)`);
    await q.query(`CREATE INDEX ix_ticket_links_target ON ticket_links (target_ticket_id)`);
    await q.query(`
      CREATE TABLE ticket_followers (
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        user_id uuid NOT NULL,
        added_by uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ticket_id, user_id)
      )`);
    // A requester's ticket list includes the tickets they follow.
    await q.query(`CREATE INDEX ix_ticket_followers_user ON ticket_followers (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ticket_followers`);
    await q.query(`DROP TABLE ticket_links`);
    await q.query(`ALTER TABLE tickets DROP COLUMN merged_into_id`);
  }
}
