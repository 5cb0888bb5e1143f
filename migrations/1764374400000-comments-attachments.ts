import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Comments (with their own search vector) and attachments (metadata; the bytes live in the storage driver). */
export class CommentsAttachments1764374400000 implements MigrationInterface {
  name = 'CommentsAttachments1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        author_id uuid NOT NULL,
        content text NOT NULL,
        comment_type varchar(12) NOT NULL CHECK (comment_type IN ('COMMENT', 'RESOLUTION', 'SYSTEM')),
        is_internal boolean NOT NULL DEFAULT false,
        edited boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
      )`);
    // Comments of a ticket, oldest first.
    await q.query(`CREATE INDEX ix_comments_ticket ON comments (ticket_id, created_at, id) WHERE deleted_at IS NULL`);
    // q also matches comments the caller may see.
    await q.query(`CREATE INDEX ix_comments_search ON comments USING gin (search_vector) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        comment_id uuid REFERENCES comments (id),
        filename varchar(255) NOT NULL,
        content_type varchar(100) NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        sha256 char(64) NOT NULL,
        storage_key varchar(200) NOT NULL,
        uploaded_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT uq_attachments_storage_key UNIQUE (storage_key)
      )`);
    // Attachments of a ticket, oldest first.
    await q.query(
      `CREATE INDEX ix_attachments_ticket ON attachments (ticket_id, created_at, id) WHERE deleted_at IS NULL`,
    );
    // Attachments of a comment (shown with it).
    await q.query(`CREATE INDEX ix_attachments_comment ON attachments (comment_id) WHERE comment_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachments`);
    await q.query(`DROP TABLE comments`);
  }
}
