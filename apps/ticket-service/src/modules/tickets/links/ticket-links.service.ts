import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ErrorCode, HistoryChangeType, TicketEventType, TicketLinkType, type TicketStatus } from '@ticketing/contracts';
import { AccessGate, require403 } from '../../../common/access/access-gate';
import { AccessPolicy, type TicketFacts } from '../../../common/access/access-policy';
import type { Principal } from '../../../common/auth/principal';
import { DomainError } from '../../../common/errors/domain-error';
import { type Page, type PageQueryDto, pageOffset, toPage } from '../../../common/http/pagination';
import { type AuditedChange, AuditTrail, type ChangeEntry } from '../../history';
import { TicketFinder } from '../ticket-finder';
import { assertNotClosed } from '../ticket-transitions';
import type { Ticket } from '../ticket.entity';
import { formatTicketNumber } from '../tickets.mapper';
import { blocksCycle, type Edge, relationSeenFrom } from './link-rules';
import type { CreateTicketLinkDto, TicketLinkDto } from './ticket-link.dto';
import { TicketLink } from './ticket-link.entity';

interface LinkRow {
  id: string;
  type: TicketLinkType;
  source_ticket_id: string;
  created_by: string | null;
  created_at: Date;
  other_id: string;
  ticket_number: string;
  title: string;
  status: TicketStatus;
  reporter_id: string;
  assignee_id: string | null;
  team_id: string | null;
  follower_ids: string[];
}

/** Serialises BLOCKS insertions: a cycle can close through tickets that no single row lock covers. */
const BLOCKS_LOCK_KEY = 'ticket_links.BLOCKS';

/**
 * Links between tickets. Creating and removing one needs the rights of PATCH on the ticket of the path; the other
 * ticket must be visible. Both tickets get a history row and an event (staff-only: they name the other ticket).
 */
@Injectable()
export class TicketLinksService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessGate,
    private readonly finder: TicketFinder,
    private readonly trail: AuditTrail,
  ) {}

  private get links() {
    return this.txHost.tx.getRepository(TicketLink);
  }

  /** Both directions; requesters see only the links whose other ticket they may see too. */
  async list(principal: Principal, ticketId: string, query: PageQueryDto): Promise<Page<TicketLinkDto>> {
    this.access.requireVisibleTicket(principal, await this.finder.find(this.txHost.tx, ticketId));
    const rows = await this.txHost.tx.query<LinkRow[]>(
      `SELECT l.id, l.type, l.source_ticket_id, l.created_by, l.created_at,
              o.id AS other_id, o.ticket_number, o.title, o.status, o.reporter_id, o.assignee_id, o.team_id,
              ARRAY(SELECT f.user_id::text FROM ticket_followers f WHERE f.ticket_id = o.id) AS follower_ids
       FROM ticket_links l
       JOIN tickets o ON o.id = CASE WHEN l.source_ticket_id = $1 THEN l.target_ticket_id ELSE l.source_ticket_id END
       WHERE (l.source_ticket_id = $1 OR l.target_ticket_id = $1) AND o.deleted_at IS NULL
       ORDER BY l.created_at, l.id`,
      [ticketId],
    );
    const visible = rows.filter((row) => AccessPolicy.canViewTicket(principal, otherTicketFacts(row)));
    const offset = pageOffset(query);
    const items = visible.slice(offset, offset + query.page_size).map((row) => toLinkDto(row, ticketId));
    return toPage(items, visible.length, query);
  }

  @Transactional()
  async create(principal: Principal, ticketId: string, input: CreateTicketLinkDto): Promise<TicketLinkDto> {
    if (input.target_id === ticketId) {
      throw DomainError.validation('A ticket cannot be linked to itself', [
        { field: 'target_id', message: 'must be another ticket' },
      ]);
    }
    const [sourceRow, targetRow] = await this.finder.lockPair(this.txHost.tx, ticketId, input.target_id);
    const source = this.access.requireVisibleTicket(principal, sourceRow);
    require403(AccessPolicy.refuseEditTicket(await this.access.actor(principal), source));
    assertNotClosed(source);
    const target = this.access.requireVisibleTicket(principal, targetRow);
    if (input.type === TicketLinkType.BLOCKS) await this.assertNoBlocksCycle(source, target);
    const link = await this.insert(source, target, input.type, principal.id);
    if (!link) {
      throw new DomainError(
        ErrorCode.CONFLICT,
        `${numberOf(source)} and ${numberOf(target)} are linked as ${input.type} already`,
      );
    }
    return toLinkDto(linkRow(link, target), source.id);
  }

  @Transactional()
  async remove(principal: Principal, ticketId: string, linkId: string): Promise<void> {
    const ticket = this.access.requireVisibleTicket(
      principal,
      await this.finder.find(this.txHost.tx, ticketId, { lock: true }),
    );
    require403(AccessPolicy.refuseEditTicket(await this.access.actor(principal), ticket));
    assertNotClosed(ticket);
    const link = await this.links.findOne({
      where: [
        { id: linkId, sourceTicketId: ticketId },
        { id: linkId, targetTicketId: ticketId },
      ],
    });
    if (!link) throw DomainError.notFound('Link');
    const otherId = link.sourceTicketId === ticketId ? link.targetTicketId : link.sourceTicketId;
    const other = await this.finder.find(this.txHost.tx, otherId);
    await this.links.delete({ id: link.id });
    await this.record(HistoryChangeType.LINK_REMOVED, TicketEventType.TICKET_UNLINKED, link, [
      ticket,
      // A deleted ticket keeps its history: name it by id when it is gone.
      other ?? { id: otherId, ticketNumber: null },
    ]);
  }

  /** The DUPLICATE_OF link of a merge, in the merge's transaction (nothing when the two are so linked already). */
  async linkDuplicate(source: Ticket, target: Ticket, by: string): Promise<void> {
    await this.insert(source, target, TicketLinkType.DUPLICATE_OF, by);
  }

  /** Inserts the link with its history and events; null when one of the type links the two already. */
  private async insert(source: Ticket, target: Ticket, type: TicketLinkType, by: string): Promise<TicketLink | null> {
    const existing = await this.links.exists({
      where: [
        { type, sourceTicketId: source.id, targetTicketId: target.id },
        { type, sourceTicketId: target.id, targetTicketId: source.id },
      ],
    });
    if (existing) return null;
    const link = await this.links.save(
      this.links.create({ type, sourceTicketId: source.id, targetTicketId: target.id, createdBy: by }),
    );
    await this.record(HistoryChangeType.LINK_ADDED, TicketEventType.TICKET_LINKED, link, [source, target]);
    return link;
  }

  /** The BLOCKS edges reachable from the new link's target; a path back to its source would close a cycle. */
  private async assertNoBlocksCycle(source: Ticket, target: Ticket): Promise<void> {
    await this.txHost.tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [BLOCKS_LOCK_KEY]);
    const edges = await this.txHost.tx.query<Edge[]>(
      `WITH RECURSIVE reachable (id) AS (
         SELECT $1::uuid
         UNION
         SELECT l.target_ticket_id FROM ticket_links l JOIN reachable r ON l.source_ticket_id = r.id
         WHERE l.type = 'BLOCKS'
       )
       SELECT l.source_ticket_id AS source, l.target_ticket_id AS target
       FROM ticket_links l JOIN reachable r ON l.source_ticket_id = r.id WHERE l.type = 'BLOCKS'`,
      [target.id],
    );
    const cycle = blocksCycle(edges, source.id, target.id);
    if (!cycle) return;
    const numbers = await this.txHost.tx.query<{ id: string; ticket_number: string }[]>(
      `SELECT id, ticket_number FROM tickets WHERE id = ANY($1::uuid[])`,
      [cycle],
    );
    const numberById = new Map(numbers.map((row) => [row.id, formatTicketNumber(Number(row.ticket_number))]));
    throw new DomainError(
      ErrorCode.CONFLICT,
      `${numberOf(source)} BLOCKS ${numberOf(target)} would close a cycle: ${cycle
        .map((id) => numberById.get(id) ?? id)
        .join(' → ')}`,
    );
  }

  private async record(
    changeType: HistoryChangeType,
    eventType: TicketEventType,
    link: TicketLink,
    tickets: [LinkEnd, LinkEnd],
  ): Promise<void> {
    const changes: AuditedChange[] = tickets.map((ticket, index) => {
      const other = tickets[1 - index];
      const relation = relationSeenFrom(link.type, ticket.id === link.sourceTicketId);
      const label = `${relation} ${other.ticketNumber === null ? other.id : formatTicketNumber(other.ticketNumber)}`;
      const added = changeType === HistoryChangeType.LINK_ADDED;
      const entry: ChangeEntry = {
        changeType,
        fieldName: 'links',
        oldValue: added ? null : label,
        newValue: added ? label : null,
        // Staff-only: the row names a ticket the requester may not see.
        metadata: { link_id: link.id, relation, linked_ticket_id: other.id, internal: true },
      };
      const event = {
        type: eventType,
        internal: true,
        data: { link_id: link.id, type: relation, linked_ticket_id: other.id },
      };
      return { ticketId: ticket.id, entries: [entry], events: [event] };
    });
    await this.trail.recordMany(this.txHost.tx, changes);
  }
}

type LinkEnd = { id: string; ticketNumber: number | null };

const numberOf = (ticket: Ticket) => formatTicketNumber(ticket.ticketNumber);

function otherTicketFacts(row: LinkRow): TicketFacts {
  return {
    reporterId: row.reporter_id,
    assigneeId: row.assignee_id,
    teamId: row.team_id,
    followerIds: row.follower_ids,
  };
}

function linkRow(link: TicketLink, other: Ticket): LinkRow {
  return {
    id: link.id,
    type: link.type,
    source_ticket_id: link.sourceTicketId,
    created_by: link.createdBy,
    created_at: link.createdAt,
    other_id: other.id,
    ticket_number: String(other.ticketNumber),
    title: other.title,
    status: other.status,
    reporter_id: other.reporterId,
    assignee_id: other.assigneeId,
    team_id: other.teamId,
    follower_ids: other.followerIds ?? [],
  };
}

function toLinkDto(row: LinkRow, seenFrom: string): TicketLinkDto {
  return {
    id: row.id,
    type: relationSeenFrom(row.type, row.source_ticket_id === seenFrom),
    ticket: {
      id: row.other_id,
      ticket_number: formatTicketNumber(Number(row.ticket_number)),
      title: row.title,
      status: row.status,
    },
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
  };
}
