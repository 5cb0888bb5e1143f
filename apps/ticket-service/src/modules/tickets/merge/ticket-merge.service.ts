import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { HistoryChangeType, TicketEventType, TicketStatus } from '@ticketing/contracts';
import { AccessGate, require403 } from '../../../common/access/access-gate';
import { AccessPolicy } from '../../../common/access/access-policy';
import type { Principal } from '../../../common/auth/principal';
import { Clock } from '../../../common/clock';
import { RequestContext } from '../../../common/context/request-context';
import { DomainError } from '../../../common/errors/domain-error';
import { AuditTrail } from '../../history';
import { SlaCalendarsService } from '../../sla';
import type { TicketDto } from '../dto/ticket.dto';
import { TicketFollowersService } from '../followers/ticket-followers.service';
import { TicketLinksService } from '../links/ticket-links.service';
import { TicketFinder } from '../ticket-finder';
import { enterStatus } from '../ticket-transitions';
import { Ticket } from '../ticket.entity';
import { formatTicketNumber, toTicketDto } from '../tickets.mapper';
import { assertExpectedVersion, type ExpectedVersion } from '../tickets.service';
import type { MergeTicketDto } from './merge-ticket.dto';
import { assertMergeable } from './merge-rules';
import { TicketMergeParticipants } from './ticket-merge-participants';

/**
 * Folds a duplicate into the ticket that stays, in one transaction: its comments and attachments move (their
 * modules write the history rows on both tickets), its reporter and followers follow the target, it gets a
 * DUPLICATE_OF link and is CLOSED with `merged_into_id`, and a public comment on the target names it.
 */
@Injectable()
export class TicketMergeService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessGate,
    private readonly finder: TicketFinder,
    private readonly followers: TicketFollowersService,
    private readonly links: TicketLinksService,
    private readonly participants: TicketMergeParticipants,
    private readonly trail: AuditTrail,
    private readonly clock: Clock,
    private readonly context: RequestContext,
    private readonly slaCalendars: SlaCalendarsService,
  ) {}

  /** Both tickets are locked (in id order) first: of two merges of one source, the second sees it merged. */
  @Transactional()
  async merge(
    principal: Principal,
    sourceId: string,
    input: MergeTicketDto,
    expected: ExpectedVersion,
  ): Promise<TicketDto> {
    if (input.into_id === sourceId) {
      throw DomainError.validation('A ticket cannot be merged into itself', [
        { field: 'into_id', message: 'must be another ticket' },
      ]);
    }
    const [sourceRow, targetRow] = await this.finder.lockPair(this.txHost.tx, sourceId, input.into_id);
    const source = this.access.requireVisibleTicket(principal, sourceRow);
    const target = this.access.requireVisibleTicket(principal, targetRow);
    require403(AccessPolicy.refuseMergeTickets(await this.access.actor(principal), source, target));
    assertExpectedVersion(source, expected);
    assertExpectedVersion(target, input.into_version ?? null);
    assertMergeable(source, target);

    const now = this.clock.now();
    const note = input.note ?? null;
    const sourceNumber = formatTicketNumber(source.ticketNumber);
    for (const participant of this.participants.all) {
      await participant.moveToMergeTarget({
        sourceId: source.id,
        sourceNumber,
        targetId: target.id,
        actor: principal,
        note,
        at: now,
      });
    }
    await this.followers.addMany(target, [source.reporterId, ...(source.followerIds ?? [])], principal.id, now);
    await this.links.linkDuplicate(source, target, principal.id);

    this.context.setActionNotes(note);
    enterStatus(source, {
      to: TicketStatus.CLOSED,
      by: principal,
      now,
      slaTarget: null,
      timeline: await this.slaCalendars.timeline(source.slaClock, source.slaCalendarId),
    });
    source.mergedIntoId = target.id;
    source.updatedAt = now;
    const merged = await this.tickets.save(source);
    // The target changed too (comments, followers): a new version, so stale If-Match on it fails.
    target.updatedAt = now;
    await this.tickets.save(target);
    await this.recordMerge(source, target, note);
    return toTicketDto(merged, now);
  }

  private get tickets() {
    return this.txHost.tx.getRepository(Ticket);
  }

  private async recordMerge(source: Ticket, target: Ticket, note: string | null): Promise<void> {
    const sourceNumber = formatTicketNumber(source.ticketNumber);
    const targetNumber = formatTicketNumber(target.ticketNumber);
    const entry = (fieldName: string | null, newValue: string, metadata: Record<string, string>) => ({
      changeType: HistoryChangeType.MERGED,
      fieldName,
      oldValue: null,
      newValue,
      metadata,
    });
    await this.trail.recordMany(this.txHost.tx, [
      {
        ticketId: source.id,
        entries: [entry('merged_into_id', target.id, { into_ticket_id: target.id, into_ticket_number: targetNumber })],
        events: [{ type: TicketEventType.TICKET_MERGED, data: { into_ticket_id: target.id, note } }],
      },
      {
        ticketId: target.id,
        entries: [entry(null, sourceNumber, { merged_ticket_id: source.id, merged_ticket_number: sourceNumber })],
        events: [{ type: TicketEventType.TICKET_MERGED, data: { merged_ticket_id: source.id, note } }],
      },
    ]);
  }
}
