import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments carry their own `is_internal` (that of the note they were uploaded to, fixed at upload), so
 * deciding who may see one needs no look-up in another module's table.
 */
export class AttachmentInternalFlag1764547200000 implements MigrationInterface {
  name = 'AttachmentInternalFlag1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attachments ADD COLUMN is_internal boolean NOT NULL DEFAULT false`);
    // Deleted notes included: an attachment of a note stays internal after the note is gone.
    await q.query(
      `UPDATE attachments a SET is_internal = true FROM comments c WHERE c.id = a.comment_id AND c.is_internal`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attachments DROP COLUMN is_internal`);
  }
}
