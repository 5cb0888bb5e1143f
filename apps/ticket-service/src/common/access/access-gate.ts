import { Injectable } from '@nestjs/common';
import { Role } from '@ticketing/contracts';
import type { Principal } from '../auth/principal';
import { DomainError } from '../errors/domain-error';
import { type Actor, AccessPolicy, type Refusal, type TicketFacts } from './access-policy';
import { TeamMembership } from './team-membership';

/** What the gate names in a 404: the resource the caller asked for. */
export type ResourceKind = 'Ticket' | 'Comment' | 'Attachment';

/** A comment, an attachment or a history entry: internal ones are for staff only. */
export interface TicketItemFacts {
  isInternal: boolean;
}

/**
 * The one gate every module asks "may this caller see / do this" (spec §7). It applies the pure
 * AccessPolicy to rows the caller's module loaded, adds the team look-ups the policy needs, and turns
 * "no" into 404 (invisible) or 403 (visible but not allowed).
 */
@Injectable()
export class AccessGate {
  constructor(private readonly teams: TeamMembership) {}

  async actor(principal: Principal): Promise<Actor> {
    const ledTeamIds = principal.role === Role.TEAM_LEAD ? await this.teams.teamsLedBy(principal.id) : [];
    return { principal, ledTeamIds };
  }

  /** Invisible tickets do not exist for the caller. */
  requireVisibleTicket<T extends TicketFacts>(principal: Principal, ticket: T | null): T {
    if (!ticket || !AccessPolicy.canViewTicket(principal, ticket)) throw DomainError.notFound('Ticket');
    return ticket;
  }

  /**
   * A comment or attachment exists for the caller when its ticket is visible and, if it is internal, the
   * caller is staff; otherwise it is a 404 named after the item.
   */
  requireVisibleItem<Item extends TicketItemFacts, Ticket extends TicketFacts>(
    principal: Principal,
    kind: ResourceKind,
    ticket: Ticket | null,
    item: Item | null,
  ): { item: Item; ticket: Ticket } {
    if (!item || !ticket || !AccessPolicy.canViewTicketItem(principal, ticket, item)) throw DomainError.notFound(kind);
    return { item, ticket };
  }

  /** Lists of comments, attachments and history entries leave internal ones out unless this is true. */
  seesInternal(principal: Principal): boolean {
    return AccessPolicy.canSeeInternal(principal);
  }

  /** Is `userId` a member of one of the teams the actor leads? */
  async isInLedTeam(actor: Actor, userId: string): Promise<boolean> {
    if (actor.ledTeamIds.length === 0) return false;
    return (await this.teams.teamsOf(userId, actor.ledTeamIds)).length > 0;
  }
}

/** A "no" from the policy about something the caller can see: 403, whose detail names the rule that refused. */
export function require403(refusal: Refusal): void {
  if (refusal !== null) throw DomainError.forbidden(refusal);
}
