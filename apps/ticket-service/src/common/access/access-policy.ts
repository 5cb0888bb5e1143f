import { Role, TicketStatus } from '@ticketing/contracts';
import { type Principal, ROLE_RANK } from '../auth/principal';

/** What the policy needs to know about a ticket. */
export interface TicketFacts {
  reporterId: string;
  assigneeId: string | null;
  teamId: string | null;
  /** The users following the ticket (loaded with it by id; absent = none). */
  followerIds?: readonly string[];
}

/** The caller plus the teams they lead (only looked up for team leads). */
export interface Actor {
  principal: Principal;
  ledTeamIds: readonly string[];
}

export interface AssignmentChange {
  assigneeId: string | null;
  /** True when the new assignee is a member of a team the actor leads. */
  assigneeInLedTeam: boolean;
}

const isAtLeast = (principal: Principal, role: Role): boolean => ROLE_RANK[principal.role] >= ROLE_RANK[role];
const isStaff = (principal: Principal): boolean => isAtLeast(principal, Role.DEVOPS_ENGINEER);

/**
 * The single answer to "may this caller see / change this thing" (spec §7). Pure functions over the caller
 * and the loaded row; services call them and turn "no" into 404 (invisible) or 403 (visible but not allowed).
 */
export const AccessPolicy = {
  /** Requesters see the tickets they reported or follow, with the same rights on both. */
  canViewTicket(principal: Principal, ticket: TicketFacts): boolean {
    return (
      AccessPolicy.canSeeAllTickets(principal) ||
      ticket.reporterId === principal.id ||
      (ticket.followerIds?.includes(principal.id) ?? false)
    );
  },

  /** A comment, attachment or history entry: its ticket is visible, and internal ones only to staff. */
  canViewTicketItem(principal: Principal, ticket: TicketFacts, item: { isInternal: boolean }): boolean {
    return (
      AccessPolicy.canViewTicket(principal, ticket) && (!item.isInternal || AccessPolicy.canSeeInternal(principal))
    );
  },
  /** Staff see every ticket; requesters only those they reported (lists filter on that). */
  canSeeAllTickets(principal: Principal): boolean {
    return isStaff(principal);
  },

  /** Editable: engineers their assigned tickets; leads those plus their teams'; managers and admins all. */
  canEditTicket(actor: Actor, ticket: TicketFacts): boolean {
    const { principal } = actor;
    switch (principal.role) {
      case Role.END_USER:
        return false;
      case Role.DEVOPS_ENGINEER:
        return ticket.assigneeId === principal.id;
      case Role.TEAM_LEAD:
        return (
          ticket.assigneeId === principal.id || (ticket.teamId !== null && actor.ledTeamIds.includes(ticket.teamId))
        );
      case Role.MANAGER:
      case Role.ADMIN:
        return true;
    }
  },

  /**
   * The generic status move: requesters may only withdraw (close) their own ticket there; staff reopen what
   * they can see (as with /reopen) and otherwise need edit rights.
   */
  canMoveTicketTo(actor: Actor, ticket: TicketFacts, target: TicketStatus): boolean {
    if (actor.principal.role === Role.END_USER) {
      return target === TicketStatus.CLOSED && ticket.reporterId === actor.principal.id;
    }
    if (target === TicketStatus.REOPENED) return AccessPolicy.canReopenTicket(actor.principal, ticket);
    return AccessPolicy.canEditTicket(actor, ticket);
  },

  canReopenTicket(principal: Principal, ticket: TicketFacts): boolean {
    return AccessPolicy.canViewTicket(principal, ticket);
  },

  /** Who may set the assignee (a team change through /assign also needs edit rights, as in PUT/PATCH). */
  canAssignTicket(actor: Actor, ticket: TicketFacts, change: AssignmentChange): boolean {
    const { principal } = actor;
    const selfOrNobody = change.assigneeId === principal.id || change.assigneeId === null;
    const ticketIsFreeOrMine = ticket.assigneeId === null || ticket.assigneeId === principal.id;
    switch (principal.role) {
      case Role.END_USER:
        return false;
      case Role.DEVOPS_ENGINEER:
        return selfOrNobody && ticketIsFreeOrMine;
      case Role.TEAM_LEAD: {
        const leadsTicketTeam = ticket.teamId !== null && actor.ledTeamIds.includes(ticket.teamId);
        return (ticketIsFreeOrMine || leadsTicketTeam) && (selfOrNobody || change.assigneeInLedTeam);
      }
      case Role.MANAGER:
      case Role.ADMIN:
        return true;
    }
  },

  /** Merging closes one ticket into another: managers and admins, or the lead of both tickets' teams. */
  canMergeTickets(actor: Actor, source: TicketFacts, target: TicketFacts): boolean {
    if (isAtLeast(actor.principal, Role.MANAGER)) return true;
    const leads = (ticket: TicketFacts) => ticket.teamId !== null && actor.ledTeamIds.includes(ticket.teamId);
    return actor.principal.role === Role.TEAM_LEAD && leads(source) && leads(target);
  },

  /** Staff add followers (themselves or anyone, requesters included) to a ticket they see; requesters add none. */
  canAddFollower(principal: Principal, ticket: TicketFacts): boolean {
    return isStaff(principal) && AccessPolicy.canViewTicket(principal, ticket);
  },

  /** A follower may always stop following; staff may remove anyone from a ticket they see. */
  canRemoveFollower(principal: Principal, ticket: TicketFacts, userId: string): boolean {
    return AccessPolicy.canViewTicket(principal, ticket) && (userId === principal.id || isStaff(principal));
  },

  canDeleteTicket(principal: Principal): boolean {
    return principal.role === Role.ADMIN;
  },

  /** Internal notes are for staff only: END_USER never posts or sees them. */
  canSeeInternal(principal: Principal): boolean {
    return isStaff(principal);
  },

  /** Public comments: requesters on their own tickets, staff anywhere; internal ones: staff only. */
  canComment(principal: Principal, ticket: TicketFacts, internal: boolean): boolean {
    return internal ? isStaff(principal) : AccessPolicy.canViewTicket(principal, ticket);
  },

  canEditComment(principal: Principal, comment: { authorId: string }): boolean {
    return comment.authorId === principal.id;
  },

  canDeleteComment(principal: Principal, comment: { authorId: string }): boolean {
    return comment.authorId === principal.id || principal.role === Role.ADMIN;
  },

  /** Uploading follows public commenting: requesters on their own tickets, staff anywhere. */
  canUploadAttachment(principal: Principal, ticket: TicketFacts): boolean {
    return AccessPolicy.canViewTicket(principal, ticket);
  },

  canDeleteAttachment(principal: Principal, attachment: { uploadedBy: string }): boolean {
    return attachment.uploadedBy === principal.id || principal.role === Role.ADMIN;
  },

  canReadTeamMetrics(actor: Actor, teamId: string): boolean {
    if (isAtLeast(actor.principal, Role.MANAGER)) return true;
    return actor.principal.role === Role.TEAM_LEAD && actor.ledTeamIds.includes(teamId);
  },
};
