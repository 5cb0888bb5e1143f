import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ErrorCode, HistoryChangeType, TicketEventType } from '@ticketing/contracts';
import type { EntityManager } from 'typeorm';
import { AccessGate, require403 } from '../../../common/access/access-gate';
import { AccessPolicy } from '../../../common/access/access-policy';
import type { Principal } from '../../../common/auth/principal';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { findPage, type Page, type PageQueryDto } from '../../../common/http/pagination';
import { AuditTrail, type EventFollowerSource, EventFollowerSources } from '../../history';
import { TicketFinder } from '../ticket-finder';
import type { Ticket } from '../ticket.entity';
import type { FollowerDto } from './ticket-follower.dto';
import { TicketFollower } from './ticket-follower.entity';

const toFollowerDto = (row: TicketFollower): FollowerDto => ({
  user_id: row.userId,
  added_by: row.addedBy,
  created_at: row.createdAt.toISOString(),
});

/**
 * Followers of a ticket: staff follow (or add anyone to) tickets they see; a follower may leave. Each change
 * writes a history row and an event in its transaction. Also the source of every event's `follower_ids`.
 */
@Injectable()
export class TicketFollowersService implements EventFollowerSource, OnModuleInit {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessGate,
    private readonly finder: TicketFinder,
    private readonly trail: AuditTrail,
    private readonly clock: Clock,
    private readonly followerSources: EventFollowerSources,
  ) {}

  onModuleInit(): void {
    this.followerSources.register(this);
  }

  private get followers() {
    return this.txHost.tx.getRepository(TicketFollower);
  }

  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<FollowerDto>> {
    this.access.requireVisibleTicket(principal, await this.finder.find(this.txHost.tx, ticketId));
    const rows = this.followers
      .createQueryBuilder('f')
      .where('f.ticket_id = :ticketId', { ticketId })
      .orderBy('f.created_at', 'ASC')
      .addOrderBy('f.user_id', 'ASC');
    return findPage(rows, query, (found) => found.map(toFollowerDto));
  }

  @Transactional()
  async add(principal: Principal, ticketId: string, userId: string = principal.id): Promise<FollowerDto> {
    const ticket = await this.lockVisible(principal, ticketId);
    require403(AccessPolicy.refuseAddFollower(principal, ticket));
    if (userId === ticket.reporterId)
      throw new DomainError(ErrorCode.CONFLICT, 'The reporter is kept informed of their ticket already');
    if (ticket.followerIds?.includes(userId))
      throw new DomainError(ErrorCode.CONFLICT, 'That user follows the ticket already');
    const [added] = await this.addMany(ticket, [userId], principal.id, this.clock.now());
    return toFollowerDto(added);
  }

  @Transactional()
  async remove(principal: Principal, ticketId: string, userId: string): Promise<void> {
    const ticket = await this.lockVisible(principal, ticketId);
    require403(AccessPolicy.refuseRemoveFollower(principal, ticket, userId));
    if (!ticket.followerIds?.includes(userId)) throw DomainError.notFound('Follower');
    await this.followers.delete({ ticketId, userId });
    await this.recordChange(
      ticketId,
      HistoryChangeType.FOLLOWER_REMOVED,
      TicketEventType.TICKET_FOLLOWER_REMOVED,
      userId,
    );
  }

  /**
   * Adds followers to a locked ticket inside the caller's transaction, skipping its reporter and those who
   * follow it already (a merge brings the merged ticket's people along); one history row and event each.
   */
  async addMany(ticket: Ticket, userIds: readonly string[], addedBy: string, at: Date): Promise<TicketFollower[]> {
    const known = new Set([ticket.reporterId, ...(ticket.followerIds ?? [])]);
    const added: TicketFollower[] = [];
    for (const userId of new Set(userIds)) {
      if (known.has(userId)) continue;
      added.push(
        await this.followers.save(this.followers.create({ ticketId: ticket.id, userId, addedBy, createdAt: at })),
      );
      await this.recordChange(
        ticket.id,
        HistoryChangeType.FOLLOWER_ADDED,
        TicketEventType.TICKET_FOLLOWER_ADDED,
        userId,
      );
    }
    ticket.followerIds = [...(ticket.followerIds ?? []), ...added.map((follower) => follower.userId)];
    return added;
  }

  async followersOf(manager: EntityManager, ticketIds: readonly string[]): Promise<ReadonlyMap<string, string[]>> {
    const rows = await manager.query<{ ticket_id: string; user_ids: string[] }[]>(
      `SELECT ticket_id, array_agg(user_id::text ORDER BY created_at, user_id) AS user_ids
       FROM ticket_followers WHERE ticket_id = ANY($1::uuid[]) GROUP BY ticket_id`,
      [ticketIds],
    );
    return new Map(rows.map((row) => [row.ticket_id, row.user_ids]));
  }

  private async lockVisible(principal: Principal, ticketId: string): Promise<Ticket> {
    return this.access.requireVisibleTicket(
      principal,
      await this.finder.find(this.txHost.tx, ticketId, { lock: true }),
    );
  }

  private async recordChange(
    ticketId: string,
    changeType: HistoryChangeType,
    eventType: TicketEventType,
    userId: string,
  ): Promise<void> {
    const added = changeType === HistoryChangeType.FOLLOWER_ADDED;
    await this.trail.record(
      this.txHost.tx,
      ticketId,
      [
        {
          changeType,
          fieldName: 'followers',
          oldValue: added ? null : userId,
          newValue: added ? userId : null,
          metadata: { user_id: userId },
        },
      ],
      [{ type: eventType, data: { user_id: userId } }],
    );
  }
}
