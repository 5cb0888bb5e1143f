import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CommentType } from '@ticketing/contracts';
import { AccessPolicy } from '../../common/access/access-policy';
import { require403 } from '../../common/access/access.service';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { type Page, type PageQueryDto, pageOffset, toPage } from '../../common/http/pagination';
import { applyCommentToTicket, assertNotClosed, hasChanged } from '../tickets/ticket-transitions';
import { Ticket } from '../tickets/ticket.entity';
import { TicketsService } from '../tickets/tickets.service';
import { In } from 'typeorm';
import { Attachment } from '../attachments/attachment.entity';
import { toAttachmentDto } from '../attachments/attachments.mapper';
import type { AttachmentDto } from '../attachments/dto/attachment.dto';
import { Comment } from './comment.entity';
import type { CommentDto, CreateCommentDto, UpdateCommentDto } from './dto/comment.dto';
import { toCommentDto } from './comments.mapper';

@Injectable()
export class CommentsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly tickets: TicketsService,
    private readonly clock: Clock,
  ) {}

  private get comments() {
    return this.txHost.tx.getRepository(Comment);
  }

  /** The comments of a ticket the caller may see, oldest first; internal notes only for staff. */
  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<CommentDto>> {
    await this.tickets.findVisible(principal, ticketId);
    const qb = this.comments
      .createQueryBuilder('c')
      .where('c.ticket_id = :ticketId', { ticketId })
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .offset(pageOffset(query))
      .limit(query.page_size);
    if (!AccessPolicy.canSeeInternal(principal)) qb.andWhere('c.is_internal = false');
    const comments = await qb.getMany();
    const total = await qb.getCount();
    const attachments = await this.attachmentsOf(comments.map((comment) => comment.id));
    return toPage(
      comments.map((comment) => toCommentDto(comment, attachments.get(comment.id) ?? [])),
      total,
      query,
    );
  }

  /**
   * Posts a comment and applies its effect on the ticket (first response, the requester's answer to
   * PENDING_INFO) in one transaction with their history rows and events.
   */
  @Transactional()
  async create(principal: Principal, ticketId: string, input: CreateCommentDto): Promise<CommentDto> {
    const isInternal = input.is_internal ?? false;
    const ticket = await this.tickets.lockVisible(principal, ticketId);
    require403(AccessPolicy.canComment(principal, ticket, isInternal), 'Only staff may post internal notes');
    assertNotClosed(ticket);
    const now = this.clock.now();
    const comment = await this.comments.save(
      this.comments.create({
        ticketId,
        authorId: principal.id,
        content: input.content,
        commentType: input.comment_type ?? CommentType.COMMENT,
        isInternal,
        createdAt: now,
        updatedAt: now,
      }),
    );
    const before = { ...ticket };
    applyCommentToTicket(ticket, principal, isInternal, now);
    if (hasChanged(before, ticket)) {
      ticket.updatedAt = now;
      await this.txHost.tx.getRepository(Ticket).save(ticket);
    }
    return toCommentDto(comment, []);
  }

  @Transactional()
  async update(principal: Principal, commentId: string, input: UpdateCommentDto): Promise<CommentDto> {
    const { comment, ticket } = await this.loadVisible(principal, commentId);
    require403(AccessPolicy.canEditComment(principal, comment), 'Only the author may edit a comment');
    assertNotClosed(ticket);
    if (comment.content !== input.content) {
      comment.content = input.content;
      comment.edited = true;
      comment.updatedAt = this.clock.now();
      await this.comments.save(comment);
    }
    const attachments = await this.attachmentsOf([comment.id]);
    return toCommentDto(comment, attachments.get(comment.id) ?? []);
  }

  @Transactional()
  async remove(principal: Principal, commentId: string): Promise<void> {
    const { comment } = await this.loadVisible(principal, commentId);
    require403(AccessPolicy.canDeleteComment(principal, comment), 'Only the author or an admin may delete a comment');
    await this.comments.softRemove(comment);
  }

  /** A comment is visible when its ticket is, and internal ones only to staff; otherwise 404. */
  private async loadVisible(principal: Principal, commentId: string): Promise<{ comment: Comment; ticket: Ticket }> {
    const comment = await this.comments.findOne({ where: { id: commentId }, lock: { mode: 'pessimistic_write' } });
    if (!comment || (comment.isInternal && !AccessPolicy.canSeeInternal(principal)))
      throw DomainError.notFound('Comment');
    const ticket = await this.txHost.tx.getRepository(Ticket).findOneBy({ id: comment.ticketId });
    if (!ticket || !AccessPolicy.canViewTicket(principal, ticket)) throw DomainError.notFound('Comment');
    return { comment, ticket };
  }

  /** Attachments shown with each comment, oldest first. */
  private async attachmentsOf(commentIds: string[]): Promise<Map<string, AttachmentDto[]>> {
    const byComment = new Map<string, AttachmentDto[]>();
    if (commentIds.length === 0) return byComment;
    const attachments = await this.txHost.tx
      .getRepository(Attachment)
      .find({ where: { commentId: In(commentIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
    for (const attachment of attachments) {
      const commentId = attachment.commentId!;
      byComment.set(commentId, [...(byComment.get(commentId) ?? []), toAttachmentDto(attachment)]);
    }
    return byComment;
  }
}
