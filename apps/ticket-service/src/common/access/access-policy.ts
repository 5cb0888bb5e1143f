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

/**
 * Why the policy says no: the rule that refused, in words that name only the caller's role and what they can
 * already see (the 403's detail). Null: allowed.
 */
export type Refusal = string | null;

const isAtLeast = (principal: Principal, role: Role): boolean => ROLE_RANK[principal.role] >= ROLE_RANK[role];
const isStaff = (principal: Principal): boolean => isAtLeast(principal, Role.DEVOPS_ENGINEER);
const unless = (allowed: boolean, reason: string): Refusal => (allowed ? null : reason);

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
  refuseEditTicket(actor: Actor, ticket: TicketFacts): Refusal {
    const { principal } = actor;
    switch (principal.role) {
      case Role.END_USER:
        return 'Requesters cannot change tickets (comment on them instead)';
      case Role.DEVOPS_ENGINEER:
        return unless(ticket.assigneeId === principal.id, 'Engineers may change only tickets assigned to them');
      case Role.TEAM_LEAD:
        return unless(
          ticket.assigneeId === principal.id || (ticket.teamId !== null && actor.ledTeamIds.includes(ticket.teamId)),
          'Team leads may change only tickets assigned to them or to a team they lead',
        );
      case Role.MANAGER:
      case Role.ADMIN:
        return null;
    }
  },

  /**
   * The generic status move: requesters may only withdraw (close) their own ticket there; staff reopen what
   * they can see (as with /reopen) and otherwise need edit rights.
   */
  refuseMoveTicketTo(actor: Actor, ticket: TicketFacts, target: TicketStatus): Refusal {
    if (actor.principal.role === Role.END_USER) {
      return unless(
        target === TicketStatus.CLOSED && ticket.reporterId === actor.principal.id,
        'Requesters may only close (withdraw) their own tickets',
      );
    }
    if (target === TicketStatus.REOPENED) return AccessPolicy.refuseReopenTicket(actor.principal, ticket);
    return AccessPolicy.refuseEditTicket(actor, ticket);
  },

  refuseReopenTicket(principal: Principal, ticket: TicketFacts): Refusal {
    return unless(AccessPolicy.canViewTicket(principal, ticket), 'Only the reporter and staff may reopen a ticket');
  },

  /** Who may set the assignee (a team change through /assign also needs edit rights, as in PUT/PATCH). */
  refuseAssignTicket(actor: Actor, ticket: TicketFacts, change: AssignmentChange): Refusal {
    const { principal } = actor;
    const selfOrNobody = change.assigneeId === principal.id || change.assigneeId === null;
    const ticketIsFreeOrMine = ticket.assigneeId === null || ticket.assigneeId === principal.id;
    switch (principal.role) {
      case Role.END_USER:
        return 'Requesters cannot assign tickets';
      case Role.DEVOPS_ENGINEER:
        return (
          unless(ticketIsFreeOrMine, 'Engineers may take only unassigned tickets or give up their own') ??
          unless(selfOrNobody, 'Engineers may assign only themselves (or nobody)')
        );
      case Role.TEAM_LEAD: {
        const leadsTicketTeam = ticket.teamId !== null && actor.ledTeamIds.includes(ticket.teamId);
        return (
          unless(
            ticketIsFreeOrMine || leadsTicketTeam,
            'Team leads may reassign only tickets of a team they lead, unassigned ones or their own',
          ) ??
          unless(
            selfOrNobody || change.assigneeInLedTeam,
            'Team leads may assign only themselves, nobody or members of a team they lead',
          )
        );
      }
      case Role.MANAGER:
      case Role.ADMIN:
        return null;
    }
  },

  /** Merging closes one ticket into another: managers and admins, or the lead of both tickets' teams. */
  refuseMergeTickets(actor: Actor, source: TicketFacts, target: TicketFacts): Refusal {
    const leads = (ticket: TicketFacts) => ticket.teamId !== null && actor.ledTeamIds.includes(ticket.teamId);
    return unless(
      isAtLeast(actor.principal, Role.MANAGER) ||
        (actor.principal.role === Role.TEAM_LEAD && leads(source) && leads(target)),
      "Merging needs a manager, an admin, or the lead of both tickets' teams",
    );
  },

  /** Staff add followers (themselves or anyone, requesters included) to a ticket they see; requesters add none. */
  refuseAddFollower(principal: Principal, ticket: TicketFacts): Refusal {
    return unless(isStaff(principal) && AccessPolicy.canViewTicket(principal, ticket), 'Only staff add followers');
  },

  /** A follower may always stop following; staff may remove anyone from a ticket they see. */
  refuseRemoveFollower(principal: Principal, ticket: TicketFacts, userId: string): Refusal {
    return unless(
      AccessPolicy.canViewTicket(principal, ticket) && (userId === principal.id || isStaff(principal)),
      'Only staff remove other followers',
    );
  },

  refuseDeleteTicket(principal: Principal): Refusal {
    return unless(principal.role === Role.ADMIN, 'Only admins may delete tickets');
  },

  /** A team's working calendar: admins, and the team's own leads (issue 14). */
  refuseChangeTeamCalendar(actor: Actor, teamId: string): Refusal {
    return unless(
      actor.principal.role === Role.ADMIN ||
        (actor.principal.role === Role.TEAM_LEAD && actor.ledTeamIds.includes(teamId)),
      "Only an admin or a lead of this team may change the team's calendar",
    );
  },

  /** Internal notes are for staff only: END_USER never posts or sees them. */
  canSeeInternal(principal: Principal): boolean {
    return isStaff(principal);
  },

  /** Public comments: requesters on their own tickets, staff anywhere; internal ones: staff only. */
  refuseComment(principal: Principal, ticket: TicketFacts, internal: boolean): Refusal {
    return internal
      ? unless(isStaff(principal), 'Only staff may post internal notes')
      : unless(AccessPolicy.canViewTicket(principal, ticket), 'Requesters may comment only on their own tickets');
  },

  refuseEditComment(principal: Principal, comment: { authorId: string }): Refusal {
    return unless(comment.authorId === principal.id, 'Only the author may edit a comment');
  },

  refuseDeleteComment(principal: Principal, comment: { authorId: string }): Refusal {
    return unless(
      comment.authorId === principal.id || principal.role === Role.ADMIN,
      'Only the author or an admin may delete a comment',
    );
  },

  /** Uploading follows public commenting: requesters on their own tickets, staff anywhere. */
  refuseUploadAttachment(principal: Principal, ticket: TicketFacts): Refusal {
    return unless(
      AccessPolicy.canViewTicket(principal, ticket),
      'Requesters may add attachments only to their own tickets',
    );
  },

  refuseDeleteAttachment(principal: Principal, attachment: { uploadedBy: string }): Refusal {
    return unless(
      attachment.uploadedBy === principal.id || principal.role === Role.ADMIN,
      'Only the uploader or an admin may delete an attachment',
    );
  },

  refuseReadTeamMetrics(actor: Actor, teamId: string): Refusal {
    return unless(
      isAtLeast(actor.principal, Role.MANAGER) ||
        (actor.principal.role === Role.TEAM_LEAD && actor.ledTeamIds.includes(teamId)),
      'Only a lead of this team, a manager or an admin may read its metrics',
    );
  },

  /** Routes restricted to some roles (`@Auth(Role.MANAGER, Role.ADMIN)`): the guard asks here. */
  refuseRole(principal: Principal, roles: readonly Role[]): Refusal {
    return unless(
      roles.length === 0 || roles.includes(principal.role),
      `This operation is for ${roles.join(', ')}; your role is ${principal.role}`,
    );
  },
};
