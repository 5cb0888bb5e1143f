import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HistoryChangeType, TicketEventType } from '@ticketing/contracts';
import type { DataSource, EntityManager, EntitySubscriberInterface, InsertEvent, SoftRemoveEvent } from 'typeorm';
import { Comment } from '../comments/comment.entity';
import { AuditTrail } from '../history/audit-trail';
import type { ChangeEntry } from '../history/ticket-changes';
import { Attachment } from './attachment.entity';

function entry(changeType: HistoryChangeType, attachment: Attachment, internal: boolean): ChangeEntry {
  // `internal` lets the history hide rows about attachments of internal notes from requesters.
  return {
    changeType,
    fieldName: null,
    oldValue: null,
    newValue: null,
    metadata: {
      attachment_id: attachment.id,
      filename: attachment.filename,
      size_bytes: attachment.sizeBytes,
      comment_id: attachment.commentId,
      internal,
    },
  };
}

/** An attachment of an internal note is internal too (also when the note was deleted since). */
async function isInternal(manager: EntityManager, attachment: Attachment): Promise<boolean> {
  if (attachment.commentId === null) return false;
  const comment = await manager.findOne(Comment, { where: { id: attachment.commentId }, withDeleted: true });
  return comment?.isInternal ?? false;
}

/** ATTACHMENT_ADDED / ATTACHMENT_DELETED history rows and the attachment.added event, in the row's transaction. */
@Injectable()
export class AttachmentAuditSubscriber implements EntitySubscriberInterface<Attachment> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly trail: AuditTrail,
  ) {
    dataSource.subscribers.push(this);
  }

  listenTo(): typeof Attachment {
    return Attachment;
  }

  async afterInsert(event: InsertEvent<Attachment>): Promise<void> {
    const attachment = event.entity;
    const internal = await isInternal(event.manager, attachment);
    await this.trail.record(
      event.manager,
      attachment.ticketId,
      [entry(HistoryChangeType.ATTACHMENT_ADDED, attachment, internal)],
      [
        {
          type: TicketEventType.ATTACHMENT_ADDED,
          internal,
          data: {
            attachment_id: attachment.id,
            comment_id: attachment.commentId,
            filename: attachment.filename,
            content_type: attachment.contentType,
            size_bytes: attachment.sizeBytes,
            sha256: attachment.sha256,
            uploaded_by: attachment.uploadedBy,
          },
        },
      ],
    );
  }

  async afterSoftRemove(event: SoftRemoveEvent<Attachment>): Promise<void> {
    const attachment = event.entity ?? event.databaseEntity;
    const internal = await isInternal(event.manager, attachment);
    await this.trail.record(
      event.manager,
      attachment.ticketId,
      [entry(HistoryChangeType.ATTACHMENT_DELETED, attachment, internal)],
      [],
    );
  }
}
