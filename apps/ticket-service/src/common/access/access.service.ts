import { Injectable } from '@nestjs/common';
import { Role } from '@ticketing/contracts';
import type { Principal } from '../auth/principal';
import { DomainError } from '../errors/domain-error';
import { TeamDirectory } from '../../modules/teams/team-directory';
import { type Actor, AccessPolicy, type TicketFacts } from './access-policy';

/** Applies the AccessPolicy with the team look-ups it needs, and turns its answers into 404/403. */
@Injectable()
export class AccessService {
  constructor(private readonly teams: TeamDirectory) {}

  async actor(principal: Principal): Promise<Actor> {
    const ledTeamIds = principal.role === Role.TEAM_LEAD ? await this.teams.teamsLedBy(principal.id) : [];
    return { principal, ledTeamIds };
  }

  /** Invisible tickets do not exist for the caller. */
  requireVisible<T extends TicketFacts>(principal: Principal, ticket: T | null): T {
    if (!ticket || !AccessPolicy.canViewTicket(principal, ticket)) throw DomainError.notFound('Ticket');
    return ticket;
  }

  /** Is `userId` a member of one of the teams the actor leads? */
  async isInLedTeam(actor: Actor, userId: string): Promise<boolean> {
    if (actor.ledTeamIds.length === 0) return false;
    return (await this.teams.teamsOf(userId, actor.ledTeamIds)).length > 0;
  }
}

export function require403(allowed: boolean, detail?: string): void {
  if (!allowed) throw DomainError.forbidden(detail);
}
