import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AlertOutcome, ErrorCode, TicketCategory, TicketPriority, TicketStatus } from '@ticketing/contracts';
import { In, Not } from 'typeorm';
import { AccessGate, require403 } from '../../common/access/access-gate';
import { AccessPolicy, type Actor } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { RequestContext } from '../../common/context/request-context';
import { DomainError } from '../../common/errors/domain-error';
import { insertNew } from '../../database/insert-new';
import type { Page, PageQueryDto } from '../../common/http/pagination';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { type HistoryEntryDto, HistoryService } from '../history';
import { computeDueDates, SlaCalendarsService, SlaPoliciesService, type SlaTerms, type SlaTimeline } from '../sla';
import { TeamDirectory, type TeamRemovalListener, TeamRemovalListeners } from '../teams';
import type {
  AssignTicketDto,
  ChangeStatusDto,
  CloseTicketDto,
  ReopenTicketDto,
  ResolveTicketDto,
} from './dto/ticket-actions.dto';
import { MAX_TAGS, type PatchTicketDto, type TicketFieldsDto } from './dto/ticket-fields.dto';
import type { TicketDto } from './dto/ticket.dto';
import { type AlertWindows, describeWithPrevious, type FiringAlert, planAlertFiring } from './alert-tickets';
import { TicketFinder } from './ticket-finder';
import { type TicketRef, toTicketRef } from './ticket-ref';
import { applyCommentToTicket, assertNotClosed, assertReopenable, hasChanged, moveStatus } from './ticket-transitions';
import { Ticket } from './ticket.entity';
import { formatTicketNumber, toTicketDto } from './tickets.mapper';

/** The ticket an alert landed on, and what happened to it. */
export interface AlertTicketResult {
  outcome: AlertOutcome;
  ticket: { id: string; ticketNumber: string };
}

const ENDED = [TicketStatus.RESOLVED, TicketStatus.CLOSED];

/** `If-Match` as parsed by the controller: null = not sent (or `*`). */
export type ExpectedVersion = number | null;

/** `If-Match` compared while the caller holds the row's lock: a stale version is a 412. */
export function assertExpectedVersion(
  ticket: Pick<Ticket, 'version' | 'ticketNumber'>,
  expected: ExpectedVersion,
): void {
  if (expected !== null && expected !== ticket.version) {
    throw new DomainError(
      ErrorCode.PRECONDITION_FAILED,
      `${formatTicketNumber(ticket.ticketNumber)} is at version ${ticket.version}, not ${expected}`,
    );
  }
}

/** Tags to add and to remove, already normalised (trimmed, lower-cased). */
export interface TagChange {
  add: readonly string[];
  remove: readonly string[];
}

/** What a status move needs besides the target: the reopen reason, the resolution notes. */
export function assertStatusInput(input: ChangeStatusDto): void {
  if (input.status === TicketStatus.REOPENED && (!input.notes || input.notes.length < 10)) {
    throw DomainError.validation('Reopening needs a reason', [
      { field: 'notes', message: 'notes must be 10–2000 characters when status is REOPENED' },
    ]);
  }
  if (input.status === TicketStatus.RESOLVED && !input.resolution_notes) {
    throw DomainError.validation('Resolving needs resolution notes', [
      { field: 'resolution_notes', message: 'resolution_notes is required when status is RESOLVED' },
    ]);
  }
}

interface Mutation {
  /** Throws 403 (or 409 TICKET_CLOSED) when the actor may not do this to the loaded ticket. */
  authorize(ticket: Ticket, actor: Actor): void | Promise<void>;
  /** Changes the loaded ticket; runs after the version check. */
  apply(ticket: Ticket, actor: Actor, now: Date): void | Promise<void>;
  /** Free text for the history rows this change writes. */
  notes?: string | null;
}

/** The only writer of `tickets`: other modules change tickets by asking this service. */
@Injectable()
export class TicketsService implements OnModuleInit, TeamRemovalListener {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessGate,
    private readonly teams: TeamDirectory,
    private readonly teamRemovalListeners: TeamRemovalListeners,
    private readonly slaPolicies: SlaPoliciesService,
    private readonly slaCalendars: SlaCalendarsService,
    private readonly history: HistoryService,
    private readonly clock: Clock,
    private readonly context: RequestContext,
    private readonly finder: TicketFinder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.teamRemovalListeners.register(this);
  }

  private get tickets() {
    return this.txHost.tx.getRepository(Ticket);
  }

  @Transactional()
  async create(principal: Principal, input: TicketFieldsDto): Promise<TicketDto> {
    const now = this.clock.now();
    const fields = await this.editableFields(input, 'replace');
    const ticket = this.tickets.create({
      ...fields,
      reporterId: principal.id,
      status: TicketStatus.NEW,
      createdAt: now,
      updatedAt: now,
      resolutionClockStartedAt: now,
      pausedSeconds: 0,
      reopenCount: 0,
    });
    await this.startSlaClock(ticket);
    return toTicketDto(await insertNew(this.tickets, ticket), now);
  }

  async get(principal: Principal, id: string): Promise<TicketDto> {
    return toTicketDto(await this.loadVisible(principal, id), this.clock.now());
  }

  /** The ticket with this number ("TKT-000042" is 42), with the visibility of `get`: 404 when the caller can't see it. */
  async getByNumber(principal: Principal, ticketNumber: number): Promise<TicketDto> {
    const ticket = await this.tickets.findOneBy({ ticketNumber });
    return toTicketDto(this.access.requireVisibleTicket(principal, ticket), this.clock.now());
  }

  /** The audit trail of a ticket the caller may see; rows about internal content only for staff. */
  async listHistory(principal: Principal, id: string, query: PageQueryDto): Promise<Page<HistoryEntryDto>> {
    await this.loadVisible(principal, id);
    return this.history.listForTicket(id, { includeInternal: this.access.seesInternal(principal) }, query);
  }

  /** For other modules: the ticket if the caller may see it; 404 otherwise (also for soft-deleted ones). */
  async findVisible(principal: Principal, id: string): Promise<TicketRef> {
    return toTicketRef(await this.loadVisible(principal, id));
  }

  /** For other modules: the ticket locked for the caller's transaction (404 when the caller cannot see it). */
  async lockVisible(principal: Principal, id: string): Promise<TicketRef> {
    return toTicketRef(await this.lockLoaded(principal, id));
  }

  /** For other modules deciding about their own rows (a comment's visibility): the live ticket, or null. */
  async findRef(id: string): Promise<TicketRef | null> {
    const ticket = await this.finder.find(this.txHost.tx, id);
    return ticket && toTicketRef(ticket);
  }

  /**
   * What a new comment does to its ticket (the first response, the requester answering PENDING_INFO),
   * in the comment's transaction; the comments module has locked the ticket with lockVisible.
   */
  @Transactional()
  async recordComment(principal: Principal, ticketId: string, isInternal: boolean, at: Date): Promise<void> {
    const ticket = await this.tickets.findOneOrFail({ where: { id: ticketId }, lock: { mode: 'pessimistic_write' } });
    const before = { ...ticket };
    applyCommentToTicket(ticket, principal, isInternal, at, await this.slaTimeline(ticket));
    await this.saveIfChanged(before, ticket, at);
  }

  /**
   * A team may go only when no live ticket refers to it; deleted tickets let go of it through an audited
   * save, so their history says where they went.
   */
  @Transactional()
  async beforeTeamRemoved(teamId: string): Promise<void> {
    if (await this.tickets.existsBy({ teamId })) {
      throw new DomainError(ErrorCode.CONFLICT, 'The team still has tickets; move them to another team first');
    }
    for (const deleted of await this.tickets.find({ where: { teamId }, withDeleted: true })) {
      deleted.teamId = null;
      await this.tickets.save(deleted);
    }
  }

  /**
   * For the alerts module: a firing alert counts as a repeat on its fingerprint's open ticket (one history row),
   * or reopens / opens a ticket (planAlertFiring). Firings of one fingerprint queue on a transaction-scoped
   * advisory lock, so the loser of a race finds the winner's ticket instead of failing; the partial unique index
   * is what makes a second open ticket impossible whatever the path.
   */
  @Transactional()
  async recordAlertFiring(principal: Principal, alert: FiringAlert, windows: AlertWindows): Promise<AlertTicketResult> {
    await this.lockAlertFingerprint(alert.fingerprint);
    const now = this.clock.now();
    // Notes set for an earlier alert of the same delivery must not land on this one's history rows.
    this.context.setActionNotes(null);
    const open = await this.openAlertTicket(alert.fingerprint);
    if (open) {
      countAlertFiring(open, now);
      return alertResult(AlertOutcome.DEDUPLICATED, await this.tickets.save(open));
    }
    const previous = await this.tickets.findOne({
      where: { alertFingerprint: alert.fingerprint },
      order: { createdAt: 'DESC' },
      lock: { mode: 'pessimistic_write' },
    });
    const plan = planAlertFiring(previous, now, windows);
    if (plan.kind === 'reopen') {
      const ticket = plan.ticket;
      await this.moveTo(ticket, await this.access.actor(principal), now, TicketStatus.REOPENED);
      countAlertFiring(ticket, now);
      ticket.alertOwnsStatus = true;
      return alertResult(AlertOutcome.REOPENED, await this.tickets.save(ticket));
    }
    const link = plan.previous && {
      ticketNumber: formatTicketNumber(plan.previous.ticketNumber),
      id: plan.previous.id,
    };
    const ticket = this.tickets.create({
      ...alert.ticket,
      description: describeWithPrevious(alert.ticket.description, link),
      category: TicketCategory.INCIDENT,
      impactLevel: null,
      reporterId: principal.id,
      status: TicketStatus.NEW,
      createdAt: now,
      updatedAt: now,
      resolutionClockStartedAt: now,
      pausedSeconds: 0,
      reopenCount: 0,
      alertFingerprint: alert.fingerprint,
      alertSource: alert.source,
      alertLabels: alert.labels,
      alertGeneratorUrl: alert.generatorUrl,
      alertOccurrences: 1,
      lastAlertAt: now,
      alertResolvedAt: null,
      alertOwnsStatus: true,
    });
    if (ticket.teamId !== null) ticket.teamId = await this.existingTeamId(ticket.teamId);
    await this.startSlaClock(ticket);
    return alertResult(AlertOutcome.CREATED, await this.tickets.save(ticket));
  }

  /**
   * For the alerts module: the alert of `fingerprint` reports itself resolved. Marks its open ticket (once per
   * resolution) and, with `autoResolve`, resolves the ticket when no one else has changed its status since the
   * intake set it (NEW goes through OPEN, as the workflow demands). Null when there is nothing to note.
   */
  @Transactional()
  async recordAlertResolved(
    principal: Principal,
    fingerprint: string,
    resolvedAt: Date,
    autoResolve: boolean,
  ): Promise<AlertTicketResult | null> {
    await this.lockAlertFingerprint(fingerprint);
    const ticket = await this.openAlertTicket(fingerprint);
    if (ticket === null || ticket.alertResolvedAt !== null) return null;
    const now = this.clock.now();
    ticket.alertResolvedAt = resolvedAt;
    ticket.updatedAt = now;
    const resolving = autoResolve && ticket.alertOwnsStatus;
    this.context.setActionNotes(resolving ? 'The alert resolved itself (ALERT_AUTO_RESOLVE)' : null);
    if (resolving) {
      const actor = await this.access.actor(principal);
      if (ticket.status === TicketStatus.NEW) {
        await this.moveTo(ticket, actor, now, TicketStatus.OPEN);
        await this.tickets.save(ticket);
      }
      const notes = `Resolved automatically: the alert resolved at ${resolvedAt.toISOString()}.`;
      await this.moveTo(ticket, actor, now, TicketStatus.RESOLVED, notes);
    }
    return alertResult(AlertOutcome.RESOLVED_NOTE, await this.tickets.save(ticket));
  }

  replace(principal: Principal, id: string, input: TicketFieldsDto, expected: ExpectedVersion): Promise<TicketDto> {
    return this.mutate(principal, id, expected, {
      authorize: (ticket, actor) => this.authorizeEdit(ticket, actor),
      apply: async (ticket) => this.applyFields(ticket, await this.editableFields(input, 'replace')),
    });
  }

  patch(principal: Principal, id: string, input: PatchTicketDto, expected: ExpectedVersion): Promise<TicketDto> {
    if (Object.values(input).every((value) => value === undefined)) {
      throw DomainError.validation('Send at least one field to change');
    }
    return this.mutate(principal, id, expected, {
      authorize: (ticket, actor) => this.authorizeEdit(ticket, actor),
      apply: async (ticket) => this.applyFields(ticket, await this.editableFields(input, 'patch')),
    });
  }

  changeStatus(
    principal: Principal,
    id: string,
    input: ChangeStatusDto,
    expected: ExpectedVersion,
  ): Promise<TicketDto> {
    assertStatusInput(input);
    return this.mutate(principal, id, expected, {
      notes: input.notes,
      authorize: (ticket, actor) => require403(AccessPolicy.refuseMoveTicketTo(actor, ticket, input.status)),
      apply: (ticket, actor, now) =>
        input.status === TicketStatus.REOPENED
          ? this.reopenTicket(ticket, actor, now)
          : this.moveTo(ticket, actor, now, input.status, input.resolution_notes),
    });
  }

  resolve(principal: Principal, id: string, input: ResolveTicketDto, expected: ExpectedVersion): Promise<TicketDto> {
    return this.mutate(principal, id, expected, {
      authorize: (ticket, actor) => require403(AccessPolicy.refuseEditTicket(actor, ticket)),
      apply: (ticket, actor, now) => this.moveTo(ticket, actor, now, TicketStatus.RESOLVED, input.resolution_notes),
    });
  }

  close(principal: Principal, id: string, input: CloseTicketDto, expected: ExpectedVersion): Promise<TicketDto> {
    return this.mutate(principal, id, expected, {
      notes: input.notes,
      authorize: (ticket, actor) => require403(AccessPolicy.refuseEditTicket(actor, ticket)),
      apply: (ticket, actor, now) => this.moveTo(ticket, actor, now, TicketStatus.CLOSED),
    });
  }

  reopen(principal: Principal, id: string, input: ReopenTicketDto, expected: ExpectedVersion): Promise<TicketDto> {
    return this.mutate(principal, id, expected, {
      notes: input.reason,
      authorize: (ticket, actor) => require403(AccessPolicy.refuseReopenTicket(actor.principal, ticket)),
      apply: (ticket, actor, now) => this.reopenTicket(ticket, actor, now),
    });
  }

  assign(principal: Principal, id: string, input: AssignTicketDto, expected: ExpectedVersion): Promise<TicketDto> {
    const assigneeId = input.assignee_id;
    return this.mutate(principal, id, expected, {
      notes: input.notes,
      authorize: async (ticket, actor) => {
        const assigneeInLedTeam = assigneeId !== null && (await this.access.isInLedTeam(actor, assigneeId));
        require403(AccessPolicy.refuseAssignTicket(actor, ticket, { assigneeId, assigneeInLedTeam }));
        if (input.team_id !== undefined && input.team_id !== ticket.teamId)
          require403(AccessPolicy.refuseEditTicket(actor, ticket));
        assertNotClosed(ticket);
      },
      apply: async (ticket, actor, now) => {
        if (input.team_id !== undefined) ticket.teamId = await this.existingTeamId(input.team_id);
        ticket.assigneeId = assigneeId;
        if (assigneeId !== null && ticket.status === TicketStatus.NEW)
          await this.moveTo(ticket, actor, now, TicketStatus.OPEN);
      },
    });
  }

  /** Adds and removes tags (normalised like the tags of PATCH); the result is bounded like PATCH's tags. */
  changeTags(principal: Principal, id: string, change: TagChange, expected: ExpectedVersion): Promise<TicketDto> {
    return this.mutate(principal, id, expected, {
      authorize: (ticket, actor) => this.authorizeEdit(ticket, actor),
      apply: (ticket) => {
        const removed = new Set(change.remove);
        const tags = [...new Set([...ticket.tags.filter((tag) => !removed.has(tag)), ...change.add])];
        if (tags.length > MAX_TAGS)
          throw DomainError.validation(`A ticket has at most ${MAX_TAGS} tags`, [
            { field: 'tags', message: `the ticket would have ${tags.length} tags (at most ${MAX_TAGS})` },
          ]);
        ticket.tags = tags;
      },
    });
  }

  @Transactional()
  async remove(principal: Principal, id: string): Promise<void> {
    require403(AccessPolicy.refuseDeleteTicket(principal));
    const ticket = await this.lockLoaded(principal, id);
    await this.tickets.softRemove(ticket);
  }

  /**
   * Every change of a ticket: lock the row (concurrent writers queue up instead of losing changes), check
   * access, compare the version while holding the lock (If-Match), apply, save. The audit subscriber adds
   * the history rows to the same transaction.
   */
  @Transactional()
  private async mutate(
    principal: Principal,
    id: string,
    expected: ExpectedVersion,
    mutation: Mutation,
  ): Promise<TicketDto> {
    const ticket = await this.lockLoaded(principal, id);
    const actor = await this.access.actor(principal);
    await mutation.authorize(ticket, actor);
    assertExpectedVersion(ticket, expected);
    const now = this.clock.now();
    const before = { ...ticket };
    await mutation.apply(ticket, actor, now);
    this.context.setActionNotes(mutation.notes);
    return toTicketDto(await this.saveIfChanged(before, ticket, now), now);
  }

  /** A change that changes nothing (same assignee, same values) is not a new version and leaves no history. */
  private async saveIfChanged(before: Ticket, ticket: Ticket, now: Date): Promise<Ticket> {
    if (!hasChanged(before, ticket)) return ticket;
    ticket.updatedAt = now;
    // Someone moved the ticket: ALERT_AUTO_RESOLVE no longer decides its status.
    if (before.status !== ticket.status) ticket.alertOwnsStatus = false;
    return this.tickets.save(ticket);
  }

  /** Serialises the intake of one fingerprint until the transaction ends. */
  private async lockAlertFingerprint(fingerprint: string): Promise<void> {
    await this.txHost.tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`alert:${fingerprint}`]);
  }

  private openAlertTicket(fingerprint: string): Promise<Ticket | null> {
    return this.tickets.findOne({
      where: { alertFingerprint: fingerprint, status: Not(In(ENDED)) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  private async loadVisible(principal: Principal, id: string): Promise<Ticket> {
    return this.access.requireVisibleTicket(principal, await this.finder.find(this.txHost.tx, id));
  }

  private async lockLoaded(principal: Principal, id: string): Promise<Ticket> {
    const ticket = await this.finder.find(this.txHost.tx, id, { lock: true });
    return this.access.requireVisibleTicket(principal, ticket);
  }

  private authorizeEdit(ticket: Ticket, actor: Actor): void {
    require403(AccessPolicy.refuseEditTicket(actor, ticket));
    assertNotClosed(ticket);
  }

  private async moveTo(
    ticket: Ticket,
    actor: Actor,
    now: Date,
    to: TicketStatus,
    resolutionNotes?: string | null,
  ): Promise<void> {
    // A reopened ticket's resolution clock restarts on the terms of its priority's policy now.
    const terms = to === TicketStatus.REOPENED ? await this.slaTermsFor(ticket.priority) : null;
    if (terms) ticket.slaClock = terms.clock;
    const timeline = await this.slaTimeline(ticket);
    moveStatus(ticket, { to, by: actor.principal, now, slaTarget: terms?.target ?? null, timeline, resolutionNotes });
  }

  private async reopenTicket(ticket: Ticket, actor: Actor, now: Date): Promise<void> {
    assertReopenable(ticket, now, this.config.tickets.reopenWindowDays);
    const newer = ticket.alertFingerprint === null ? null : await this.openAlertTicket(ticket.alertFingerprint);
    if (newer !== null) {
      throw new DomainError(
        ErrorCode.CONFLICT,
        `${formatTicketNumber(newer.ticketNumber)} is open for the same alert; work on that ticket instead`,
      );
    }
    await this.moveTo(ticket, actor, now, TicketStatus.REOPENED);
  }

  /**
   * Applies edited fields; a priority change recomputes the due dates (keeping paused time) on the new
   * priority's clock, in the calendar version the ticket was created with.
   */
  private async applyFields(ticket: Ticket, fields: Partial<Ticket>): Promise<void> {
    const priorityChanged = fields.priority !== undefined && fields.priority !== ticket.priority;
    Object.assign(ticket, fields);
    if (priorityChanged) {
      const terms = await this.slaTermsFor(ticket.priority);
      if (terms) {
        ticket.slaClock = terms.clock;
        ticket.slaCalendarId ??= await this.slaCalendars.calendarIdFor(ticket.teamId);
        Object.assign(ticket, computeDueDates(ticket, terms.target, await this.slaTimeline(ticket)));
      }
    }
  }

  /** A new ticket's SLA: its policy's targets and clock, counted in its team's calendar version in force now. */
  private async startSlaClock(ticket: Ticket): Promise<void> {
    const terms = await this.slaTermsFor(ticket.priority);
    if (!terms) {
      Object.assign(ticket, {
        slaClock: null,
        slaCalendarId: null,
        responseDueAt: null,
        resolutionDueAt: null,
        responseWarningAt: null,
        resolutionWarningAt: null,
      });
      return;
    }
    ticket.slaClock = terms.clock;
    ticket.slaCalendarId = await this.slaCalendars.calendarIdFor(ticket.teamId);
    Object.assign(ticket, computeDueDates(ticket, terms.target, await this.slaTimeline(ticket)));
  }

  /** The clock the ticket's SLA counts on (round the clock when it has none). */
  private slaTimeline(ticket: Ticket): Promise<SlaTimeline> {
    return this.slaCalendars.timeline(ticket.slaClock, ticket.slaCalendarId);
  }

  /** Request fields → entity fields. `replace` turns omitted optional fields into their defaults. */
  private async editableFields(input: PatchTicketDto, mode: 'replace' | 'patch'): Promise<Partial<Ticket>> {
    const pick = <T>(value: T | undefined, fallback: T): T | undefined =>
      value === undefined && mode === 'replace' ? fallback : value;
    const fields: Partial<Ticket> = {
      title: input.title,
      description: input.description,
      category: input.category,
      priority: pick(input.priority, TicketPriority.P3),
      environment: pick(input.environment, null),
      affectedService: pick(input.affected_service, null),
      impactLevel: pick(input.impact_level, null),
      tags: pick(input.tags, []),
    };
    const teamId = pick(input.team_id, null);
    if (teamId !== undefined) fields.teamId = await this.existingTeamId(teamId);
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  }

  private async existingTeamId(teamId: string | null): Promise<string | null> {
    if (teamId === null) return null;
    if (!(await this.teams.exists(teamId)))
      throw DomainError.validation('team_id does not refer to a team', [{ field: 'team_id', message: 'no such team' }]);
    return teamId;
  }

  private async slaTermsFor(priority: TicketPriority): Promise<SlaTerms | null> {
    return this.config.sla.enabled ? this.slaPolicies.termsFor(priority) : null;
  }
}

/** A repeat firing: one more occurrence, and a resolution noted earlier no longer holds. */
function countAlertFiring(ticket: Ticket, now: Date): void {
  ticket.alertOccurrences += 1;
  ticket.lastAlertAt = now;
  ticket.alertResolvedAt = null;
  ticket.updatedAt = now;
}

function alertResult(outcome: AlertOutcome, ticket: Ticket): AlertTicketResult {
  return { outcome, ticket: { id: ticket.id, ticketNumber: formatTicketNumber(ticket.ticketNumber) } };
}
