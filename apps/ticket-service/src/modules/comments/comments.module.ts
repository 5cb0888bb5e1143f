import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttachmentsModule } from '../attachments';
import { HistoryModule } from '../history';
import { TicketsModule } from '../tickets';
import { CommentAuditSubscriber } from './comment-audit.subscriber';
import { CommentMergeParticipant } from './comment-merge.participant';
import { CommentTextSource } from './comment-text-source';
import { Comment } from './comment.entity';
import { CommentsController } from './comments.controller';
import { CommentsService } from './comments.service';

/** Owns `comments`; plugs into the ticket search and the attachments' comment look-up. */
@Module({
  imports: [TypeOrmModule.forFeature([Comment]), TicketsModule, HistoryModule, AttachmentsModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentAuditSubscriber, CommentTextSource, CommentMergeParticipant],
  exports: [CommentsService],
})
export class CommentsModule {}
