import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HistoryChangeType, TicketEventType } from '@ticketing/contracts';
import type { DataSource, EntitySubscriberInterface, InsertEvent, SoftRemoveEvent, UpdateEvent } from 'typeorm';
import { AuditTrail, type ChangeEntry } from '../history';
import { Attachment } from './attachment.entity';

function entry(changeType: HistoryChangeType, attachment: Attachment): ChangeEntry {
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
      internal: attachment.isInternal,
    },
  };
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
    await this.trail.record(
      event.manager,
      attachment.ticketId,
      [entry(HistoryChangeType.ATTACHMENT_ADDED, attachment)],
      [
        {
          type: TicketEventType.ATTACHMENT_ADDED,
          internal: attachment.isInternal,
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

  /** Only a merge updates an attachment: it moves to the ticket that stays, with a row on both tickets. */
  async afterUpdate(event: UpdateEvent<Attachment>): Promise<void> {
    const before = event.databaseEntity;
    const after = event.entity as Attachment | undefined;
    if (!before || !after) throw new Error('An attachment was updated without its loaded state; use save()');
    if (before.ticketId === after.ticketId) return;
    const moved: ChangeEntry = {
      ...entry(HistoryChangeType.ATTACHMENT_MOVED, before),
      fieldName: 'ticket_id',
      oldValue: before.ticketId,
      newValue: after.ticketId,
    };
    await this.trail.recordMany(event.manager, [
      { ticketId: before.ticketId, entries: [moved], events: [] },
      { ticketId: after.ticketId, entries: [moved], events: [] },
    ]);
  }

  async afterSoftRemove(event: SoftRemoveEvent<Attachment>): Promise<void> {
    const attachment = event.entity ?? event.databaseEntity;
    await this.trail.record(
      event.manager,
      attachment.ticketId,
      [entry(HistoryChangeType.ATTACHMENT_DELETED, attachment)],
      [],
    );
  }
}
