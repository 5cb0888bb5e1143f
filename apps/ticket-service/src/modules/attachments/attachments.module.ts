import type { Server } from 'node:http';
import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryModule } from '../history';
import { TicketsModule } from '../tickets';
import { AttachmentAuditSubscriber } from './attachment-audit.subscriber';
import { AttachmentMergeParticipant } from './attachment-merge.participant';
import { Attachment } from './attachment.entity';
import { AttachmentsController } from './attachments.controller';
import { attachmentsProviders } from './attachments.providers';
import { AttachmentsService } from './attachments.service';
import { CommentLookups } from './comment-lookup';
import { OrphanSweeper } from './orphan-sweeper';
import { StorageIntent } from './storage-intent.entity';
import { StorageIntents } from './storage-intents';
import { AttachmentUploadInterceptor } from './upload/attachment-upload.interceptor';
import { UPLOAD_DEADLINE_MS, UploadReceiver } from './upload/upload-receiver';

/**
 * Owns `attachments`, `attachment_storage_intents` and the stored bytes; the comments module plugs in its
 * CommentLookup.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Attachment, StorageIntent]), TicketsModule, HistoryModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentsService,
    AttachmentAuditSubscriber,
    AttachmentMergeParticipant,
    UploadReceiver,
    AttachmentUploadInterceptor,
    StorageIntents,
    OrphanSweeper,
    CommentLookups,
    ...attachmentsProviders,
  ],
  exports: [AttachmentsService, CommentLookups],
})
export class AttachmentsModule implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Node cuts any request whose body takes longer than `requestTimeout` (300 s by default), which a 50 MiB
   * upload on a slow link exceeds. Node has no per-route setting, so the server-wide limit is raised to the
   * upload deadline, and the upload route enforces its own deadline and idle timeout (UploadReceiver).
   */
  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server && server.requestTimeout !== 0 && server.requestTimeout < UPLOAD_DEADLINE_MS + 60_000) {
      server.requestTimeout = UPLOAD_DEADLINE_MS + 60_000;
    }
  }
}
