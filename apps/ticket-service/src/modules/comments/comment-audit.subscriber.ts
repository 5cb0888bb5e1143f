import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HistoryChangeType, TicketEventType } from '@ticketing/contracts';
import type { DataSource, EntitySubscriberInterface, InsertEvent, SoftRemoveEvent, UpdateEvent } from 'typeorm';
import { AuditTrail, type ChangeEntry } from '../history';
import { Comment } from './comment.entity';

function entry(changeType: HistoryChangeType, comment: Comment): ChangeEntry {
  // `internal` lets the history hide rows about internal notes from requesters.
  return {
    changeType,
    fieldName: null,
    oldValue: null,
    newValue: null,
    metadata: { comment_id: comment.id, internal: comment.isInternal },
  };
}

function movedEntry(changeType: HistoryChangeType, comment: Comment, toTicketId: string): ChangeEntry {
  return {
    changeType,
    fieldName: 'ticket_id',
    oldValue: comment.ticketId,
    newValue: toTicketId,
    metadata: { comment_id: comment.id, internal: comment.isInternal },
  };
}

/** History rows (COMMENT_ADDED / _UPDATED / _DELETED / _MOVED) and the comment.added event, in the comment's transaction. */
@Injectable()
export class CommentAuditSubscriber implements EntitySubscriberInterface<Comment> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly trail: AuditTrail,
  ) {
    dataSource.subscribers.push(this);
  }

  listenTo(): typeof Comment {
    return Comment;
  }

  async afterInsert(event: InsertEvent<Comment>): Promise<void> {
    const comment = event.entity;
    await this.trail.record(
      event.manager,
      comment.ticketId,
      [entry(HistoryChangeType.COMMENT_ADDED, comment)],
      [
        {
          type: TicketEventType.COMMENT_ADDED,
          internal: comment.isInternal,
          data: {
            comment_id: comment.id,
            author_id: comment.authorId,
            comment_type: comment.commentType,
            is_internal: comment.isInternal,
          },
        },
      ],
    );
  }

  async afterUpdate(event: UpdateEvent<Comment>): Promise<void> {
    const before = event.databaseEntity;
    const after = event.entity as Comment | undefined;
    if (!before || !after) throw new Error('A comment was updated without its loaded state; use save() on the entity');
    if (before.ticketId !== after.ticketId) {
      // Moved by a merge: both tickets' trails say where it went.
      const moved = movedEntry(HistoryChangeType.COMMENT_MOVED, before, after.ticketId);
      await this.trail.recordMany(event.manager, [
        { ticketId: before.ticketId, entries: [moved], events: [] },
        { ticketId: after.ticketId, entries: [moved], events: [] },
      ]);
    }
    if (before.content === after.content) return;
    await this.trail.record(event.manager, before.ticketId, [entry(HistoryChangeType.COMMENT_UPDATED, before)], []);
  }

  async afterSoftRemove(event: SoftRemoveEvent<Comment>): Promise<void> {
    const comment = event.entity ?? event.databaseEntity;
    await this.trail.record(event.manager, comment.ticketId, [entry(HistoryChangeType.COMMENT_DELETED, comment)], []);
  }
}
