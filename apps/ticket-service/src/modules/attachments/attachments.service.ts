import { createReadStream } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ErrorCode } from '@ticketing/contracts';
import { In } from 'typeorm';
import { AccessGate, require403 } from '../../common/access/access-gate';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { findPage, type Page, type PageQueryDto } from '../../common/http/pagination';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { assertNotClosed, type TicketRef, TicketsService } from '../tickets';
import { Attachment } from './attachment.entity';
import { type AttachableComment, CommentLookups } from './comment-lookup';
import { toAttachmentDto } from './attachments.mapper';
import {
  type AttachmentDownload,
  buildDownload,
  buildRedirect,
  type DownloadConditions,
} from './download/attachment-download';
import type { AttachmentDto } from './dto/attachment.dto';
import { VIRUS_SCANNER, type VirusScanner } from './scanning/virus-scanner';
import {
  DOWNLOAD_URL_SIGNER,
  type DownloadUrlSigner,
  STORAGE_DRIVER,
  type StorageDriver,
} from './storage/storage-driver';
import { type PendingUpload, StorageIntents, type UploadIntent } from './storage-intents';
import { COMMENT_ID_FIELD, FILE_FIELD, type StagedFile } from './upload/upload-receiver';
import { isUuid } from '../../common/http/uuid-param';

const noSuchComment = (): DomainError =>
  DomainError.validation('comment_id does not refer to a comment of this ticket', [
    { field: COMMENT_ID_FIELD, message: 'no such comment on this ticket' },
  ]);

@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly tickets: TicketsService,
    private readonly access: AccessGate,
    private readonly comments: CommentLookups,
    private readonly clock: Clock,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly intents: StorageIntents,
    @Inject(VIRUS_SCANNER) private readonly scanner: VirusScanner | null,
    @Inject(DOWNLOAD_URL_SIGNER) private readonly downloadUrls: DownloadUrlSigner | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get attachments() {
    return this.txHost.tx.getRepository(Attachment);
  }

  /** The attachments of a ticket the caller may see, oldest first; those of internal notes only for staff. */
  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<AttachmentDto>> {
    await this.tickets.findVisible(principal, ticketId);
    const attachments = this.attachments
      .createQueryBuilder('a')
      .where('a.ticket_id = :ticketId', { ticketId })
      .orderBy('a.created_at', 'ASC')
      .addOrderBy('a.id', 'ASC');
    if (!this.access.seesInternal(principal)) attachments.andWhere('NOT a.is_internal');
    return findPage(attachments, query, (rows) => rows.map(toAttachmentDto));
  }

  /** For the comments module: the live attachments of each comment, oldest first. */
  async listForComments(commentIds: readonly string[]): Promise<Map<string, AttachmentDto[]>> {
    const byComment = new Map<string, AttachmentDto[]>();
    if (commentIds.length === 0) return byComment;
    const attachments = await this.attachments.find({
      where: { commentId: In([...commentIds]) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    for (const attachment of attachments) {
      const commentId = attachment.commentId!;
      byComment.set(commentId, [...(byComment.get(commentId) ?? []), toAttachmentDto(attachment)]);
    }
    return byComment;
  }

  /**
   * The refusals known before any byte is read (invisible ticket, no right to upload, and optionally a
   * closed ticket), so nobody streams 50 MiB to learn them. They are checked again when committing.
   */
  async assertMayUpload(principal: Principal, ticketId: string, options: { closedToo: boolean }): Promise<void> {
    const ticket = await this.tickets.findVisible(principal, ticketId);
    this.authorizeUpload(principal, ticket, options.closedToo);
  }

  /**
   * Scans the staged file, stores it under its intent's key, then commits the row with its history and event.
   * Nothing outlives a failure: a refused file is never stored, and what an upload whose row did not commit
   * wrote is removed when its request ends (AttachmentUploadInterceptor), or after a crash by the sweeper.
   */
  async upload(principal: Principal, ticketId: string, upload: PendingUpload): Promise<AttachmentDto> {
    const { file, intent } = upload;
    if (!file) {
      throw DomainError.validation('Send the file in the form field "file"', [
        { field: FILE_FIELD, message: 'is required' },
      ]);
    }
    const commentId = this.parseCommentId(upload.commentId);
    const ticket = await this.tickets.findVisible(principal, ticketId);
    this.authorizeUpload(principal, ticket, true);
    if (commentId !== null) await this.requireComment(principal, ticket, commentId);
    await this.scan(file);
    await this.intents.store(intent, file);
    return toAttachmentDto(await this.commit(principal, ticketId, commentId, file, intent));
  }

  async download(principal: Principal, id: string, conditions: DownloadConditions): Promise<AttachmentDownload> {
    const attachment = await this.loadVisible(principal, await this.attachments.findOneBy({ id }));
    const signer = this.downloadUrls;
    if (signer !== null) {
      return buildRedirect(attachment, conditions, this.config.storage.downloadUrlTtlSeconds, (download) =>
        signer.signedDownloadUrl(attachment.storageKey, download),
      );
    }
    return buildDownload(attachment, conditions, (range) => this.storage.get(attachment.storageKey, range));
  }

  /** The uploader or an admin; the bytes go once the row is gone (or with the next sweep, if that fails). */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.intents.finishDiscard(await this.removeRow(principal, id));
  }

  @Transactional()
  private async removeRow(principal: Principal, id: string): Promise<string> {
    const attachment = await this.loadVisible(
      principal,
      await this.attachments.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }),
    );
    require403(AccessPolicy.refuseDeleteAttachment(principal, attachment));
    await this.attachments.softRemove(attachment);
    await this.intents.scheduleDiscard(attachment.storageKey);
    return attachment.storageKey;
  }

  /** Re-checks under the ticket's lock (it may have closed meanwhile), inserts the row and settles the intent. */
  @Transactional()
  private async commit(
    principal: Principal,
    ticketId: string,
    commentId: string | null,
    file: StagedFile,
    intent: UploadIntent,
  ): Promise<Attachment> {
    const ticket = await this.tickets.lockVisible(principal, ticketId);
    this.authorizeUpload(principal, ticket, true);
    const comment = commentId === null ? null : await this.requireComment(principal, ticket, commentId);
    const attachment = await this.attachments.save(
      this.attachments.create({
        ticketId,
        commentId,
        // Fixed at upload: an attachment of an internal note stays internal, also once the note is deleted.
        isInternal: comment?.isInternal ?? false,
        filename: file.filename,
        contentType: file.contentType,
        sizeBytes: file.sizeBytes,
        sha256: file.sha256,
        storageKey: intent.storageKey,
        uploadedBy: principal.id,
        createdAt: this.clock.now(),
      }),
    );
    await this.intents.settle(intent);
    return attachment;
  }

  private authorizeUpload(principal: Principal, ticket: TicketRef, closedToo: boolean): void {
    require403(AccessPolicy.refuseUploadAttachment(principal, ticket));
    if (closedToo) assertNotClosed(ticket);
  }

  private parseCommentId(value: string | null): string | null {
    if (value === null || value === '') return null;
    if (!isUuid(value)) {
      throw DomainError.validation('comment_id must be a UUID', [
        { field: COMMENT_ID_FIELD, message: 'must be a UUID' },
      ]);
    }
    return value.toLowerCase();
  }

  /** A live comment of this ticket that the caller may see (internal notes: staff only). */
  private async requireComment(principal: Principal, ticket: TicketRef, commentId: string): Promise<AttachableComment> {
    const comment = await this.comments.single.findOnTicket(ticket.id, commentId);
    if (!comment || !AccessPolicy.canViewTicketItem(principal, ticket, comment)) throw noSuchComment();
    return comment;
  }

  /** Invisible tickets and, for requesters, attachments of internal notes do not exist: 404. */
  private async loadVisible(principal: Principal, attachment: Attachment | null): Promise<Attachment> {
    const ticket = attachment && (await this.tickets.findRef(attachment.ticketId));
    return this.access.requireVisibleItem(principal, 'Attachment', ticket, attachment).item;
  }

  private async scan(file: StagedFile): Promise<void> {
    if (!this.scanner) return;
    const verdict = await this.scanner.scan(createReadStream(file.path));
    if (verdict.infected) {
      this.logger.warn({ signature: verdict.signature, sha256: file.sha256 }, 'upload refused: the scanner flagged it');
      throw new DomainError(ErrorCode.FILE_INFECTED, 'The virus scanner flagged the file; it was not stored');
    }
  }
}
