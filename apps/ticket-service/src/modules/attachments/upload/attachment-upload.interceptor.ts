import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Principal } from '../../../common/auth/principal';
import { DomainError } from '../../../common/errors/domain-error';
import { AttachmentsService } from '../attachments.service';
import { type ReceivedUpload, UploadReceiver } from './upload-receiver';

const receivedUploads = new WeakMap<Request, ReceivedUpload>();

/** The upload AttachmentUploadInterceptor received for this request. */
export const UploadedAttachment = createParamDecorator((_data: unknown, context: ExecutionContext): ReceivedUpload => {
  const upload = receivedUploads.get(context.switchToHttp().getRequest<Request>());
  if (!upload) throw new Error('UploadedAttachment used without AttachmentUploadInterceptor');
  return upload;
});

/**
 * Receives the multipart body of an upload into the staging area before the handler runs, and removes the
 * staged file once the request is answered, whatever the answer. Placed before IdempotencyInterceptor: the
 * request's fingerprint — the file's name, SHA-256 and size and the comment_id — becomes `req.body`, which is what
 * that interceptor compares between retries.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  constructor(
    private readonly receiver: UploadReceiver,
    private readonly attachments: AttachmentsService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request & { user: Principal }>();
    const ticketId = req.params.ticket_id;
    if (typeof ticketId !== 'string' || !isUUID(ticketId, 'all')) {
      throw DomainError.validation('Path parameter ticket_id must be a UUID', [
        { field: 'ticket_id', message: 'must be a UUID' },
      ]);
    }
    // A closed ticket is left to the handler when an Idempotency-Key may have a stored answer to replay.
    await this.attachments.assertMayUpload(req.user, ticketId.toLowerCase(), {
      closedToo: req.header('Idempotency-Key') === undefined,
    });
    const upload = await this.receiver.receive(req);
    receivedUploads.set(req, upload);
    req.body = {
      comment_id: upload.commentId,
      file: upload.file && {
        filename: upload.file.filename,
        sha256: upload.file.sha256,
        size_bytes: upload.file.sizeBytes,
      },
    };
    return from(this.handleThenDiscard(next, upload));
  }

  private async handleThenDiscard(next: CallHandler, upload: ReceivedUpload): Promise<unknown> {
    try {
      return await lastValueFrom(next.handle(), { defaultValue: undefined });
    } finally {
      await upload.discard();
    }
  }
}
