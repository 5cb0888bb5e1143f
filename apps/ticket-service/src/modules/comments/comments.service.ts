import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CommentType } from '@ticketing/contracts';
import { AccessGate, require403 } from '../../common/access/access-gate';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { findPage, type Page, type PageQueryDto } from '../../common/http/pagination';
import { AttachmentsService, type CommentLookup, CommentLookups } from '../attachments';
import { assertNotClosed, type TicketRef, TicketsService } from '../tickets';
import { Comment } from './comment.entity';
import type { CommentDto, CreateCommentDto, UpdateCommentDto } from './dto/comment.dto';
import { toCommentDto } from './comments.mapper';

@Injectable()
export class CommentsService implements CommentLookup, OnModuleInit {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly tickets: TicketsService,
    private readonly attachments: AttachmentsService,
    private readonly commentLookups: CommentLookups,
    private readonly access: AccessGate,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.commentLookups.register(this);
  }

  private get comments() {
    return this.txHost.tx.getRepository(Comment);
  }

  /** The comments of a ticket the caller may see, oldest first; internal notes only for staff. */
  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<CommentDto>> {
    await this.tickets.findVisible(principal, ticketId);
    const comments = this.comments
      .createQueryBuilder('c')
      .where('c.ticket_id = :ticketId', { ticketId })
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC');
    if (!this.access.seesInternal(principal)) comments.andWhere('c.is_internal = false');
    return findPage(comments, query, (rows) => this.withAttachments(rows));
  }

  /**
   * Posts a comment and applies its effect on the ticket (first response, the requester's answer to
   * PENDING_INFO) in one transaction with their history rows and events.
   */
  @Transactional()
  async create(principal: Principal, ticketId: string, input: CreateCommentDto): Promise<CommentDto> {
    const isInternal = input.is_internal ?? false;
    const ticket = await this.tickets.lockVisible(principal, ticketId);
    require403(AccessPolicy.refuseComment(principal, ticket, isInternal));
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
    await this.tickets.recordComment(principal, ticketId, isInternal, now);
    return toCommentDto(comment, []);
  }

  /**
   * For other modules: an internal SYSTEM note by `principal` on a ticket the caller's transaction has locked
   * (the alert intake's "alert resolved" note). Internal, so it is no first response.
   */
  @Transactional()
  async addSystemNote(principal: Principal, ticketId: string, content: string): Promise<void> {
    const now = this.clock.now();
    await this.comments.save(
      this.comments.create({
        ticketId,
        authorId: principal.id,
        content,
        commentType: CommentType.SYSTEM,
        isInternal: true,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  @Transactional()
  async update(principal: Principal, commentId: string, input: UpdateCommentDto): Promise<CommentDto> {
    const { comment, ticket } = await this.loadVisible(principal, commentId);
    require403(AccessPolicy.refuseEditComment(principal, comment));
    assertNotClosed(ticket);
    if (comment.content !== input.content) {
      comment.content = input.content;
      comment.edited = true;
      comment.updatedAt = this.clock.now();
      await this.comments.save(comment);
    }
    const [dto] = await this.withAttachments([comment]);
    return dto;
  }

  @Transactional()
  async remove(principal: Principal, commentId: string): Promise<void> {
    const { comment } = await this.loadVisible(principal, commentId);
    require403(AccessPolicy.refuseDeleteComment(principal, comment));
    await this.comments.softRemove(comment);
  }

  /** For the attachments module: a live comment of that ticket, or null. */
  findOnTicket(ticketId: string, commentId: string): Promise<Comment | null> {
    return this.comments.findOneBy({ id: commentId, ticketId });
  }

  /** The comment (locked) and its ticket, when the caller may see both; otherwise 404. */
  private async loadVisible(principal: Principal, commentId: string): Promise<{ comment: Comment; ticket: TicketRef }> {
    const comment = await this.comments.findOne({ where: { id: commentId }, lock: { mode: 'pessimistic_write' } });
    const ticket = comment && (await this.tickets.findRef(comment.ticketId));
    const visible = this.access.requireVisibleItem(principal, 'Comment', ticket, comment);
    return { comment: visible.item, ticket: visible.ticket };
  }

  private async withAttachments(comments: Comment[]): Promise<CommentDto[]> {
    const attachments = await this.attachments.listForComments(comments.map((comment) => comment.id));
    return comments.map((comment) => toCommentDto(comment, attachments.get(comment.id) ?? []));
  }
}
