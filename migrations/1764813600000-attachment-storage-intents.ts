import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The storage keys whose bytes may be in the attachment store (or its staging area) without a live attachment
 * row: uploads in progress (recorded before their first byte is written) and bytes to remove (deleted
 * attachments, failed or abandoned uploads). The orphan sweeper removes only what this table names, so
 * installations sharing a directory or bucket never touch each other's files.
 */
export class AttachmentStorageIntents1764813600000 implements MigrationInterface {
  name = 'AttachmentStorageIntents1764813600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attachment_storage_intents (
        storage_key varchar(200) PRIMARY KEY,
        kind varchar(8) NOT NULL CHECK (kind IN ('UPLOAD', 'DISCARD')),
        created_at timestamptz NOT NULL
      )`);
    // The sweeper's look-ups: abandoned uploads by age, and every DISCARD.
    await q.query(`CREATE INDEX ix_attachment_storage_intents_kind ON attachment_storage_intents (kind, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachment_storage_intents`);
  }
}
