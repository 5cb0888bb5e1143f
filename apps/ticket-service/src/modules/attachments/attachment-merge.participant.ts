import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { type TicketMerge, type TicketMergeParticipant, TicketMergeParticipants } from '../tickets';
import { Attachment } from './attachment.entity';

/** A merge moves the merged ticket's attachments to the target; the audit subscriber writes both rows. */
@Injectable()
export class AttachmentMergeParticipant implements TicketMergeParticipant, OnModuleInit {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly participants: TicketMergeParticipants,
  ) {}

  onModuleInit(): void {
    this.participants.register(this);
  }

  async moveToMergeTarget(merge: TicketMerge): Promise<void> {
    const attachments = this.txHost.tx.getRepository(Attachment);
    const moving = await attachments.find({
      where: { ticketId: merge.sourceId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    // One at a time: the subscriber writes through the same connection (see stack notes on save([...])).
    for (const attachment of moving) {
      attachment.ticketId = merge.targetId;
      await attachments.save(attachment);
    }
  }
}
