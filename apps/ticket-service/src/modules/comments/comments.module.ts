import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryModule } from '../history/history.module';
import { TicketsModule } from '../tickets/tickets.module';
import { CommentAuditSubscriber } from './comment-audit.subscriber';
import { Comment } from './comment.entity';
import { CommentsController } from './comments.controller';
import { CommentsService } from './comments.service';

@Module({
  imports: [TypeOrmModule.forFeature([Comment]), TicketsModule, HistoryModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentAuditSubscriber],
})
export class CommentsModule {}
