import { Role, TicketStatus } from '@ticketing/contracts';
import type { Principal } from '../auth/principal';
import { type Actor, AccessPolicy, type Refusal, type TicketFacts } from './access-policy';

const user = (role: Role, id = `${role.toLowerCase()}-1`): Principal => ({ id, role, username: null, email: null });
const actor = (principal: Principal, ledTeamIds: string[] = []): Actor => ({ principal, ledTeamIds });
/** A rule allows when it gives no refusal. */
const allows = (refusal: Refusal): boolean => refusal === null;

const requester = user(Role.END_USER);
const engineer = user(Role.DEVOPS_ENGINEER);
const lead = user(Role.TEAM_LEAD);
const manager = user(Role.MANAGER);
const admin = user(Role.ADMIN);

const ticket = (facts: Partial<TicketFacts> = {}): TicketFacts => ({
  reporterId: 'someone',
  assigneeId: null,
  teamId: null,
  ...facts,
});

describe('AccessPolicy (spec §7)', () => {
  it('shows requesters only their own tickets and staff all of them', () => {
    expect(AccessPolicy.canViewTicket(requester, ticket({ reporterId: requester.id }))).toBe(true);
    expect(AccessPolicy.canViewTicket(requester, ticket())).toBe(false);
    for (const staff of [engineer, lead, manager, admin])
      expect(AccessPolicy.canViewTicket(staff, ticket())).toBe(true);
  });

  it('shows comments and attachments with their ticket, internal ones only to staff', () => {
    const own = ticket({ reporterId: requester.id });
    expect(AccessPolicy.canViewTicketItem(requester, own, { isInternal: false })).toBe(true);
    expect(AccessPolicy.canViewTicketItem(requester, own, { isInternal: true })).toBe(false);
    expect(AccessPolicy.canViewTicketItem(requester, ticket(), { isInternal: false })).toBe(false);
    for (const staff of [engineer, lead, manager, admin])
      expect(AccessPolicy.canViewTicketItem(staff, ticket(), { isInternal: true })).toBe(true);
  });

  it.each([
    ['END_USER on own ticket', actor(requester), ticket({ reporterId: requester.id }), false],
    ['engineer on an assigned ticket', actor(engineer), ticket({ assigneeId: engineer.id }), true],
    ['engineer on another ticket', actor(engineer), ticket({ assigneeId: 'other' }), false],
    ['lead on own assignment', actor(lead), ticket({ assigneeId: lead.id }), true],
    ['lead on a ticket of a led team', actor(lead, ['t1']), ticket({ teamId: 't1', assigneeId: 'other' }), true],
    ['lead on another team', actor(lead, ['t1']), ticket({ teamId: 't2' }), false],
    ['manager anywhere', actor(manager), ticket(), true],
    ['admin anywhere', actor(admin), ticket(), true],
  ])('edit: %s → %s', (_name, who, target, expected) => {
    expect(allows(AccessPolicy.refuseEditTicket(who, target))).toBe(expected);
  });

  it('lets requesters only withdraw their own ticket through the status endpoint', () => {
    const own = ticket({ reporterId: requester.id });
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(requester), own, TicketStatus.CLOSED))).toBe(true);
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(requester), own, TicketStatus.IN_PROGRESS))).toBe(false);
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(requester), own, TicketStatus.REOPENED))).toBe(false);
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(requester), ticket(), TicketStatus.CLOSED))).toBe(false);
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(engineer), ticket(), TicketStatus.REOPENED))).toBe(true);
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(engineer), ticket(), TicketStatus.RESOLVED))).toBe(false);
  });

  it.each([
    ['END_USER never', actor(requester), ticket({ reporterId: requester.id }), requester.id, false, false],
    ['engineer takes a free ticket', actor(engineer), ticket(), engineer.id, false, true],
    ['engineer gives up their own', actor(engineer), ticket({ assigneeId: engineer.id }), null, false, true],
    [
      'engineer takes a ticket of someone else',
      actor(engineer),
      ticket({ assigneeId: 'other' }),
      engineer.id,
      false,
      false,
    ],
    ['engineer assigns someone else', actor(engineer), ticket(), 'other', false, false],
    ['lead assigns a member of a led team on a free ticket', actor(lead, ['t1']), ticket(), 'member', true, true],
    ['lead assigns a non-member', actor(lead, ['t1']), ticket(), 'stranger', false, false],
    [
      'lead reassigns on a led team ticket',
      actor(lead, ['t1']),
      ticket({ teamId: 't1', assigneeId: 'other' }),
      'member',
      true,
      true,
    ],
    [
      'lead reassigns on another team ticket',
      actor(lead, ['t1']),
      ticket({ teamId: 't2', assigneeId: 'other' }),
      'member',
      true,
      false,
    ],
    ['manager assigns anyone', actor(manager), ticket({ assigneeId: 'other' }), 'stranger', false, true],
    ['admin assigns anyone', actor(admin), ticket({ assigneeId: 'other' }), 'stranger', false, true],
  ])('assign: %s', (_name, who, target, assigneeId, assigneeInLedTeam, expected) => {
    expect(allows(AccessPolicy.refuseAssignTicket(who, target, { assigneeId, assigneeInLedTeam }))).toBe(expected);
  });

  it('keeps deletion, internal notes and metrics to the right roles', () => {
    expect([requester, engineer, lead, manager, admin].map((p) => allows(AccessPolicy.refuseDeleteTicket(p)))).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect([requester, engineer, lead, manager, admin].map((p) => AccessPolicy.canSeeInternal(p))).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(allows(AccessPolicy.refuseReadTeamMetrics(actor(lead, ['t1']), 't1'))).toBe(true);
    expect(allows(AccessPolicy.refuseReadTeamMetrics(actor(lead, ['t1']), 't2'))).toBe(false);
    expect(allows(AccessPolicy.refuseReadTeamMetrics(actor(engineer), 't1'))).toBe(false);
    expect(allows(AccessPolicy.refuseReadTeamMetrics(actor(manager), 't1'))).toBe(true);
  });

  it('lets authors edit comments, authors and admins delete them and attachments', () => {
    const mine = { authorId: engineer.id, uploadedBy: engineer.id };
    expect(allows(AccessPolicy.refuseEditComment(engineer, mine))).toBe(true);
    expect(allows(AccessPolicy.refuseEditComment(admin, mine))).toBe(false);
    expect(allows(AccessPolicy.refuseDeleteComment(admin, mine))).toBe(true);
    expect(allows(AccessPolicy.refuseDeleteComment(manager, mine))).toBe(false);
    expect(allows(AccessPolicy.refuseDeleteAttachment(admin, mine))).toBe(true);
    expect(allows(AccessPolicy.refuseDeleteAttachment(lead, mine))).toBe(false);
    expect(allows(AccessPolicy.refuseComment(requester, ticket({ reporterId: requester.id }), false))).toBe(true);
    expect(allows(AccessPolicy.refuseComment(requester, ticket({ reporterId: requester.id }), true))).toBe(false);
  });

  it('shows a followed ticket to a requester as their own, and only to the follower', () => {
    const followed = ticket({ followerIds: [requester.id] });
    expect(AccessPolicy.canViewTicket(requester, followed)).toBe(true);
    expect(allows(AccessPolicy.refuseComment(requester, followed, false))).toBe(true);
    expect(allows(AccessPolicy.refuseComment(requester, followed, true))).toBe(false);
    expect(allows(AccessPolicy.refuseReopenTicket(requester, followed))).toBe(true);
    // Withdrawing stays the reporter's: a follower is not the requester of the ticket.
    expect(allows(AccessPolicy.refuseMoveTicketTo(actor(requester), followed, TicketStatus.CLOSED))).toBe(false);
    expect(AccessPolicy.canViewTicket(user(Role.END_USER, 'another'), followed)).toBe(false);
  });

  it.each([
    ['END_USER', actor(requester), ticket({ teamId: 't1' }), ticket({ teamId: 't1' }), false],
    ['engineer', actor(engineer), ticket({ assigneeId: engineer.id }), ticket({ assigneeId: engineer.id }), false],
    ['lead of both teams', actor(lead, ['t1', 't2']), ticket({ teamId: 't1' }), ticket({ teamId: 't2' }), true],
    ['lead of one team', actor(lead, ['t1']), ticket({ teamId: 't1' }), ticket({ teamId: 't2' }), false],
    ['lead, a ticket without team', actor(lead, ['t1']), ticket({ teamId: 't1' }), ticket(), false],
    ['manager', actor(manager), ticket(), ticket(), true],
    ['admin', actor(admin), ticket(), ticket(), true],
  ])('merge: %s → %s', (_name, who, source, target, expected) => {
    expect(allows(AccessPolicy.refuseMergeTickets(who, source, target))).toBe(expected);
  });

  it('lets staff add followers and anyone following leave', () => {
    const own = ticket({ reporterId: requester.id });
    expect(allows(AccessPolicy.refuseAddFollower(requester, own))).toBe(false);
    for (const staff of [engineer, lead, manager, admin])
      expect(allows(AccessPolicy.refuseAddFollower(staff, ticket()))).toBe(true);
    const followed = ticket({ followerIds: [requester.id, 'someone-else'] });
    expect(allows(AccessPolicy.refuseRemoveFollower(requester, followed, requester.id))).toBe(true);
    expect(allows(AccessPolicy.refuseRemoveFollower(requester, followed, 'someone-else'))).toBe(false);
    expect(allows(AccessPolicy.refuseRemoveFollower(engineer, followed, requester.id))).toBe(true);
  });
});

describe('AccessPolicy refusals: the 403 names the rule, never what the caller cannot see', () => {
  it('says which rule refused a change of a ticket, per role', () => {
    const others = ticket({ assigneeId: 'other', teamId: 't2' });
    expect(AccessPolicy.refuseEditTicket(actor(requester), others)).toBe(
      'Requesters cannot change tickets (comment on them instead)',
    );
    expect(AccessPolicy.refuseEditTicket(actor(engineer), others)).toBe(
      'Engineers may change only tickets assigned to them',
    );
    expect(AccessPolicy.refuseEditTicket(actor(lead, ['t1']), others)).toBe(
      'Team leads may change only tickets assigned to them or to a team they lead',
    );
    expect(AccessPolicy.refuseEditTicket(actor(manager), others)).toBeNull();
  });

  it('tells the first rule an assignment breaks', () => {
    expect(
      AccessPolicy.refuseAssignTicket(actor(engineer), ticket({ assigneeId: 'other' }), {
        assigneeId: engineer.id,
        assigneeInLedTeam: false,
      }),
    ).toBe('Engineers may take only unassigned tickets or give up their own');
    expect(
      AccessPolicy.refuseAssignTicket(actor(engineer), ticket(), { assigneeId: 'other', assigneeInLedTeam: false }),
    ).toBe('Engineers may assign only themselves (or nobody)');
    expect(
      AccessPolicy.refuseAssignTicket(actor(lead, ['t1']), ticket(), { assigneeId: 'x', assigneeInLedTeam: false }),
    ).toBe('Team leads may assign only themselves, nobody or members of a team they lead');
  });

  it('explains status moves, deletion, comments, attachments, metrics and role-restricted routes', () => {
    const own = ticket({ reporterId: requester.id });
    expect(AccessPolicy.refuseMoveTicketTo(actor(requester), own, TicketStatus.IN_PROGRESS)).toBe(
      'Requesters may only close (withdraw) their own tickets',
    );
    expect(AccessPolicy.refuseMoveTicketTo(actor(engineer), ticket(), TicketStatus.REOPENED)).toBeNull();
    expect(AccessPolicy.refuseDeleteTicket(manager)).toBe('Only admins may delete tickets');
    expect(AccessPolicy.refuseComment(requester, own, true)).toBe('Only staff may post internal notes');
    expect(AccessPolicy.refuseEditComment(admin, { authorId: engineer.id })).toBe('Only the author may edit a comment');
    expect(AccessPolicy.refuseDeleteAttachment(lead, { uploadedBy: engineer.id })).toBe(
      'Only the uploader or an admin may delete an attachment',
    );
    expect(AccessPolicy.refuseReadTeamMetrics(actor(engineer), 't1')).toBe(
      'Only a lead of this team, a manager or an admin may read its metrics',
    );
    expect(AccessPolicy.refuseRole(requester, [Role.MANAGER, Role.ADMIN])).toBe(
      'This operation is for MANAGER, ADMIN; your role is END_USER',
    );
    expect(AccessPolicy.refuseRole(admin, [Role.MANAGER, Role.ADMIN])).toBeNull();
  });
});
