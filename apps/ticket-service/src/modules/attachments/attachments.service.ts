import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ErrorCode } from '@ticketing/contracts';
import { isUUID } from 'class-validator';
import { AccessPolicy } from '../../common/access/access-policy';
import { require403 } from '../../common/access/access.service';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { type Page, type PageQueryDto, pageOffset, toPage } from '../../common/http/pagination';
import { Comment } from '../comments/comment.entity';
import { assertNotClosed } from '../tickets/ticket-transitions';
import { Ticket } from '../tickets/ticket.entity';
import { TicketsService } from '../tickets/tickets.service';
import { Attachment } from './attachment.entity';
import { toAttachmentDto } from './attachments.mapper';
import { type AttachmentDownload, buildDownload, type DownloadConditions } from './download/attachment-download';
import type { AttachmentDto } from './dto/attachment.dto';
import { VIRUS_SCANNER, type VirusScanner } from './scanning/virus-scanner';
import { STORAGE_DRIVER, type StorageDriver } from './storage/storage-driver';
import { COMMENT_ID_FIELD, FILE_FIELD, type ReceivedUpload, type StagedFile } from './upload/upload-receiver';

/** Every stored object of this service lives under this prefix; the orphan sweeper touches nothing else. */
export const STORAGE_KEY_PREFIX = 'attachments/';

/** A fresh storage key: random, never derived from the filename, spread over 256 folders. */
export function newStorageKey(): string {
  const id = randomUUID();
  return `${STORAGE_KEY_PREFIX}${id.slice(0, 2)}/${id}`;
}

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
    private readonly clock: Clock,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(VIRUS_SCANNER) private readonly scanner: VirusScanner | null,
  ) {}

  private get attachments() {
    return this.txHost.tx.getRepository(Attachment);
  }

  /** The attachments of a ticket the caller may see, oldest first; those of internal notes only for staff. */
  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<AttachmentDto>> {
    await this.tickets.findVisible(principal, ticketId);
    const qb = this.attachments
      .createQueryBuilder('a')
      .where('a.ticket_id = :ticketId', { ticketId })
      .orderBy('a.created_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .offset(pageOffset(query))
      .limit(query.page_size);
    if (!AccessPolicy.canSeeInternal(principal)) {
      // Deleted notes included: an attachment of a note stays internal after the note is gone.
      qb.andWhere('NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = a.comment_id AND c.is_internal)');
    }
    const rows = await qb.getMany();
    const total = await qb.getCount();
    return toPage(rows.map(toAttachmentDto), total, query);
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
   * Scans the staged file, stores it under a new key, then commits the row with its history and event.
   * Nothing outlives a failure: a refused file is never stored, and stored bytes whose row did not commit
   * are deleted (or, after a crash, swept as orphans).
   */
  async upload(principal: Principal, ticketId: string, upload: ReceivedUpload): Promise<AttachmentDto> {
    const { file } = upload;
    if (!file) {
      throw DomainError.validation('Send the file in the form field "file"', [
        { field: FILE_FIELD, message: 'is required' },
      ]);
    }
    const commentId = this.parseCommentId(upload.commentId);
    const ticket = await this.tickets.findVisible(principal, ticketId);
    this.authorizeUpload(principal, ticket, true);
    if (commentId !== null) await this.requireComment(principal, ticketId, commentId);
    await this.scan(file);
    const key = newStorageKey();
    await this.storage.put(key, createReadStream(file.path));
    try {
      return toAttachmentDto(await this.commit(principal, ticketId, commentId, file, key));
    } catch (error) {
      await this.storage.delete(key).catch((deleteError: unknown) => this.logLeftover(key, deleteError));
      throw error;
    }
  }

  async download(principal: Principal, id: string, conditions: DownloadConditions): Promise<AttachmentDownload> {
    const attachment = await this.requireVisible(principal, await this.attachments.findOneBy({ id }));
    return buildDownload(attachment, conditions, (range) => this.storage.get(attachment.storageKey, range));
  }

  /** The uploader or an admin; the bytes go once the row is gone. */
  async remove(principal: Principal, id: string): Promise<void> {
    const key = await this.removeRow(principal, id);
    // Bytes no live row references are swept later if this fails; the deletion itself has happened.
    await this.storage.delete(key).catch((error: unknown) => this.logLeftover(key, error));
  }

  @Transactional()
  private async removeRow(principal: Principal, id: string): Promise<string> {
    const attachment = await this.requireVisible(
      principal,
      await this.attachments.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }),
    );
    require403(
      AccessPolicy.canDeleteAttachment(principal, attachment),
      'Only the uploader or an admin may delete an attachment',
    );
    await this.attachments.softRemove(attachment);
    return attachment.storageKey;
  }

  /** Re-checks under the ticket's lock (it may have closed meanwhile) and inserts the row. */
  @Transactional()
  private async commit(
    principal: Principal,
    ticketId: string,
    commentId: string | null,
    file: StagedFile,
    storageKey: string,
  ): Promise<Attachment> {
    const ticket = await this.tickets.lockVisible(principal, ticketId);
    this.authorizeUpload(principal, ticket, true);
    if (commentId !== null) await this.requireComment(principal, ticketId, commentId);
    return this.attachments.save(
      this.attachments.create({
        ticketId,
        commentId,
        filename: file.filename,
        contentType: file.contentType,
        sizeBytes: file.sizeBytes,
        sha256: file.sha256,
        storageKey,
        uploadedBy: principal.id,
        createdAt: this.clock.now(),
      }),
    );
  }

  private authorizeUpload(principal: Principal, ticket: Ticket, closedToo: boolean): void {
    require403(AccessPolicy.canUploadAttachment(principal, ticket), 'You may not add attachments to this ticket');
    if (closedToo) assertNotClosed(ticket);
  }

  private parseCommentId(value: string | null): string | null {
    if (value === null || value === '') return null;
    if (!isUUID(value, 'all')) {
      throw DomainError.validation('comment_id must be a UUID', [
        { field: COMMENT_ID_FIELD, message: 'must be a UUID' },
      ]);
    }
    return value.toLowerCase();
  }

  /** A live comment of this ticket that the caller may see (internal notes: staff only). */
  private async requireComment(principal: Principal, ticketId: string, commentId: string): Promise<void> {
    const comment = await this.txHost.tx.getRepository(Comment).findOneBy({ id: commentId, ticketId });
    if (!comment || (comment.isInternal && !AccessPolicy.canSeeInternal(principal))) throw noSuchComment();
  }

  /** Invisible tickets and, for requesters, attachments of internal notes do not exist: 404. */
  private async requireVisible(principal: Principal, attachment: Attachment | null): Promise<Attachment> {
    if (!attachment) throw DomainError.notFound('Attachment');
    const ticket = await this.txHost.tx.getRepository(Ticket).findOneBy({ id: attachment.ticketId });
    if (!ticket || !AccessPolicy.canViewTicket(principal, ticket)) throw DomainError.notFound('Attachment');
    if (attachment.commentId !== null && !AccessPolicy.canSeeInternal(principal)) {
      const comment = await this.txHost.tx
        .getRepository(Comment)
        .findOne({ where: { id: attachment.commentId }, withDeleted: true });
      if (comment?.isInternal) throw DomainError.notFound('Attachment');
    }
    return attachment;
  }

  private async scan(file: StagedFile): Promise<void> {
    if (!this.scanner) return;
    const verdict = await this.scanner.scan(createReadStream(file.path));
    if (verdict.infected) {
      this.logger.warn({ signature: verdict.signature, sha256: file.sha256 }, 'upload refused: the scanner flagged it');
      throw new DomainError(ErrorCode.FILE_INFECTED, 'The virus scanner flagged the file; it was not stored');
    }
  }

  private logLeftover(key: string, error: unknown): void {
    this.logger.warn(
      { key, err: error instanceof Error ? error.message : String(error) },
      'stored bytes without a row could not be removed; the orphan sweeper will',
    );
  }
}
