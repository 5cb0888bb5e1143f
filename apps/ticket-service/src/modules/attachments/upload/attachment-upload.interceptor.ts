import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Principal } from '../../../common/auth/principal';
import { DomainError } from '../../../common/errors/domain-error';
import { AttachmentsService } from '../attachments.service';
import { type PendingUpload, StorageIntents, type UploadIntent } from '../storage-intents';
import { type ReceivedUpload, UploadReceiver } from './upload-receiver';
import { isUuid } from '../../../common/http/uuid-param';

const receivedUploads = new WeakMap<Request, PendingUpload>();

/** The upload AttachmentUploadInterceptor received for this request. */
export const UploadedAttachment = createParamDecorator((_data: unknown, context: ExecutionContext): PendingUpload => {
  const upload = receivedUploads.get(context.switchToHttp().getRequest<Request>());
  if (!upload) throw new Error('UploadedAttachment used without AttachmentUploadInterceptor');
  return upload;
});

/**
 * Records the upload's intent, receives the multipart body into the staging area before the handler runs, and
 * once the request is answered, whatever the answer, releases the intent: what an upload that did not commit
 * wrote is removed. Placed before IdempotencyInterceptor: the request's fingerprint — the file's name, SHA-256 and
 * size and the comment_id — becomes `req.body`, which is what that interceptor compares between retries.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  constructor(
    private readonly receiver: UploadReceiver,
    private readonly intents: StorageIntents,
    private readonly attachments: AttachmentsService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request & { user: Principal }>();
    const ticketId = req.params.ticket_id;
    if (typeof ticketId !== 'string' || !isUuid(ticketId)) {
      throw DomainError.validation('Path parameter ticket_id must be a UUID', [
        { field: 'ticket_id', message: 'must be a UUID' },
      ]);
    }
    // A closed ticket is left to the handler when an Idempotency-Key may have a stored answer to replay.
    await this.attachments.assertMayUpload(req.user, ticketId.toLowerCase(), {
      closedToo: req.header('Idempotency-Key') === undefined,
    });
    // Before the first byte is written: whatever this request leaves behind, a record names it.
    const intent = await this.intents.beginUpload();
    let upload: ReceivedUpload;
    try {
      upload = await this.receiver.receive(req, intent.storageKey);
    } catch (error) {
      await this.intents.release(intent);
      throw error;
    }
    receivedUploads.set(req, { ...upload, intent });
    req.body = {
      comment_id: upload.commentId,
      file: upload.file && {
        filename: upload.file.filename,
        sha256: upload.file.sha256,
        size_bytes: upload.file.sizeBytes,
      },
    };
    return from(this.handleThenRelease(next, intent));
  }

  private async handleThenRelease(next: CallHandler, intent: UploadIntent): Promise<unknown> {
    try {
      return await lastValueFrom(next.handle(), { defaultValue: undefined });
    } finally {
      await this.intents.release(intent);
    }
  }
}
