import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CommentType } from '@ticketing/contracts';
import { type TicketMerge, type TicketMergeParticipant, TicketMergeParticipants } from '../tickets';
import { Comment } from './comment.entity';

/**
 * A merge moves the merged ticket's comments to the target (the audit subscriber writes a row on both tickets)
 * and posts the public comment on the target that names the merged ticket.
 */
@Injectable()
export class CommentMergeParticipant implements TicketMergeParticipant, OnModuleInit {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly participants: TicketMergeParticipants,
  ) {}

  onModuleInit(): void {
    this.participants.register(this);
  }

  async moveToMergeTarget(merge: TicketMerge): Promise<void> {
    const comments = this.txHost.tx.getRepository(Comment);
    const moving = await comments.find({ where: { ticketId: merge.sourceId }, order: { createdAt: 'ASC', id: 'ASC' } });
    // One at a time: the subscriber writes through the same connection (see stack notes on save([...])).
    for (const comment of moving) {
      comment.ticketId = merge.targetId;
      await comments.save(comment);
    }
    const content = `${merge.sourceNumber} was merged into this ticket.` + (merge.note ? `\n\n${merge.note}` : '');
    await comments.save(
      comments.create({
        ticketId: merge.targetId,
        authorId: merge.actor.id,
        content,
        commentType: CommentType.SYSTEM,
        isInternal: false,
        createdAt: merge.at,
        updatedAt: merge.at,
      }),
    );
  }
}
