import type supertest from 'supertest';
import { createTicket } from '../factories';
import {
  type Action,
  ADMIN,
  DEVOPS_ENGINEER,
  END_USER,
  expectOk,
  itemsOf,
  MANAGER,
  type Matrix,
  openTicket,
  type Row,
  STAFF,
  TEAM_LEAD,
  ticketUrl,
  type World,
} from './harness';

/** Issue 15 (links, followers, merge, bulk) against spec §7: who may call each route on which ticket. */

const linkIds = new WeakMap<World, string>();
const followerIds = new WeakMap<World, string>();

/** The link a row acts on (set by `linked`). */
export const linkOf = (w: World): string => linkIds.get(w)!;
/** The follower a row removes (set by `followedBySomeone` or `followedByActor`). */
export const followerOf = (w: World): string => followerIds.get(w)!;

/** A second open ticket the actor sees (their own for a requester), in the led team for a lead: link and merge target. */
export async function secondTicket(w: World): Promise<void> {
  const reporter = w.actor.role === END_USER ? w.actor : w.requester;
  const ticket = await createTicket(w.t, reporter, w.ledTeam ? { team_id: w.ledTeam.id } : {});
  w.otherTicket = expectOk(
    await w.asAdmin.patch(`/api/v1/tickets/${ticket.id}/status`, { status: 'OPEN' }),
    200,
    'fixture open',
  );
}

/** The row's ticket linked (by an admin) to a second one. */
export async function linked(w: World): Promise<void> {
  await secondTicket(w);
  const link = expectOk(
    await w.asAdmin.post(ticketUrl(w, '/links'), { type: 'RELATES_TO', target_id: w.otherTicket!.id }),
    201,
    'fixture link',
  );
  linkIds.set(w, link.id as string);
}

/** A link between two tickets other than the row's: its id on the row's ticket names no link of it. */
export async function linkedElsewhere(w: World): Promise<void> {
  const first = await openTicket(w, w.requester, null);
  const second = await openTicket(w, w.requester, null);
  const link = expectOk(
    await w.asAdmin.post(`/api/v1/tickets/${first.id}/links`, { type: 'BLOCKS', target_id: second.id }),
    201,
    'fixture link elsewhere',
  );
  linkIds.set(w, link.id as string);
}

async function addFollower(w: World, userId: string): Promise<void> {
  expectOk(await w.asAdmin.post(ticketUrl(w, '/followers'), { user_id: userId }), 201, 'fixture follower');
  followerIds.set(w, userId);
}

/** Another requester follows the row's ticket. */
export const followedBySomeone = (w: World) => addFollower(w, w.t.user(END_USER).id);
/** The actor follows the row's ticket (a requester then sees someone else's ticket). */
export const followedByActor = (w: World) => addFollower(w, w.actor.id);

const bulkPriority = (w: World) =>
  w.call.post('/api/v1/tickets/bulk', { ids: [w.ticket!.id], action: 'priority', priority: 'P1' });

const actions: Record<string, Action> = {
  'list links': {
    route: 'GET /api/v1/tickets/:ticket_id/links',
    prepare: linked,
    request: (w) => w.call.get(ticketUrl(w, '/links')),
    verify: (res, w) => expect(itemsOf(res).map((link) => link.ticket.id)).toEqual([w.otherTicket!.id]),
  },
  'link tickets': {
    route: 'POST /api/v1/tickets/:ticket_id/links',
    prepare: secondTicket,
    request: (w) => w.call.post(ticketUrl(w, '/links'), { type: 'BLOCKS', target_id: w.otherTicket!.id }),
    verify: (res, w) => expect(res.body).toMatchObject({ type: 'BLOCKS', ticket: { id: w.otherTicket!.id } }),
  },
  'unlink tickets': {
    route: 'DELETE /api/v1/tickets/:ticket_id/links/:link_id',
    prepare: linked,
    request: (w) => w.call.delete(ticketUrl(w, `/links/${linkOf(w)}`)),
    verify: async (_res, w) => expect(itemsOf(await w.asAdmin.get(ticketUrl(w, '/links')))).toEqual([]),
  },
  'list followers': {
    route: 'GET /api/v1/tickets/:ticket_id/followers',
    prepare: followedBySomeone,
    request: (w) => w.call.get(ticketUrl(w, '/followers')),
    verify: (res, w) => expect(itemsOf(res).map((item) => item.user_id)).toEqual([followerOf(w)]),
  },
  'list followers of a followed ticket': {
    route: 'GET /api/v1/tickets/:ticket_id/followers',
    prepare: followedByActor,
    request: (w) => w.call.get(ticketUrl(w, '/followers')),
    verify: (res, w) => expect(itemsOf(res).map((item) => item.user_id)).toEqual([w.actor.id]),
  },
  follow: {
    route: 'POST /api/v1/tickets/:ticket_id/followers',
    request: (w) => w.call.post(ticketUrl(w, '/followers'), {}),
    verify: (res, w) => expect(res.body).toMatchObject({ user_id: w.actor.id, added_by: w.actor.id }),
  },
  'add a requester as follower': {
    route: 'POST /api/v1/tickets/:ticket_id/followers',
    request: (w) => {
      // Not the fixture's requester: they reported the ticket, and reporters are no followers.
      followerIds.set(w, w.t.user(END_USER).id);
      return w.call.post(ticketUrl(w, '/followers'), { user_id: followerOf(w) });
    },
    verify: (res, w) => expect(res.body.user_id).toBe(followerOf(w)),
  },
  unfollow: {
    route: 'DELETE /api/v1/tickets/:ticket_id/followers/:user_id',
    prepare: followedByActor,
    request: (w) => w.call.delete(ticketUrl(w, `/followers/${w.actor.id}`)),
    verify: async (_res, w) => expect(itemsOf(await w.asAdmin.get(ticketUrl(w, '/followers')))).toEqual([]),
  },
  'remove another follower': {
    route: 'DELETE /api/v1/tickets/:ticket_id/followers/:user_id',
    prepare: followedBySomeone,
    request: (w) => w.call.delete(ticketUrl(w, `/followers/${followerOf(w)}`)),
    verify: async (_res, w) => expect(itemsOf(await w.asAdmin.get(ticketUrl(w, '/followers')))).toEqual([]),
  },
  merge: {
    route: 'POST /api/v1/tickets/:ticket_id/merge',
    prepare: secondTicket,
    request: (w) => w.call.post(ticketUrl(w, '/merge'), { into_id: w.otherTicket!.id }),
    verify: (res, w) => expect(res.body).toMatchObject({ status: 'CLOSED', merged_into_id: w.otherTicket!.id }),
  },
  'bulk change (item allowed)': {
    route: 'POST /api/v1/tickets/bulk',
    request: bulkPriority,
    verify: (res: supertest.Response) =>
      expect(res.body.results).toEqual([
        expect.objectContaining({ status: 200, ticket: expect.objectContaining({ priority: 'P1' }) }),
      ]),
  },
  'bulk change (item refused)': {
    route: 'POST /api/v1/tickets/bulk',
    request: bulkPriority,
    verify: async (res, w) => {
      // A requester's foreign ticket is invisible (404); otherwise the item is refused like PATCH (403).
      const invisible = w.actor.role === END_USER && w.ticket!.reporter_id !== w.actor.id;
      expect(res.body.results).toEqual([
        {
          id: w.ticket!.id,
          status: invisible ? 404 : 403,
          error_code: invisible ? 'NOT_FOUND' : 'FORBIDDEN',
          detail: expect.any(String),
        },
      ]);
      expect((await w.asAdmin.get(ticketUrl(w))).body.version).toBe(w.ticket!.version);
    },
  },
};

const rows: Row[] = [
  ['list links', END_USER, 'own', 200],
  ['list links', END_USER, 'others', 404],
  ...STAFF.map((role): Row => ['list links', role, 'others', 200]),

  // Links need the rights of PATCH on the ticket of the path.
  ['link tickets', END_USER, 'own', 403],
  ['link tickets', END_USER, 'others', 404],
  ['link tickets', DEVOPS_ENGINEER, 'mine', 201],
  ['link tickets', DEVOPS_ENGINEER, 'assigned-other', 403],
  ['link tickets', TEAM_LEAD, 'led-team', 201],
  ['link tickets', TEAM_LEAD, 'other-team', 403],
  ['link tickets', MANAGER, 'other-team', 201],
  ['link tickets', ADMIN, 'other-team', 201],
  ['unlink tickets', END_USER, 'own', 403],
  ['unlink tickets', END_USER, 'others', 404],
  ['unlink tickets', DEVOPS_ENGINEER, 'mine', 204],
  ['unlink tickets', DEVOPS_ENGINEER, 'assigned-other', 403],
  ['unlink tickets', TEAM_LEAD, 'led-team', 204],
  ['unlink tickets', TEAM_LEAD, 'other-team', 403],
  ['unlink tickets', MANAGER, 'other-team', 204],
  ['unlink tickets', ADMIN, 'other-team', 204],

  ['list followers', END_USER, 'own', 200],
  ['list followers', END_USER, 'others', 404],
  ['list followers of a followed ticket', END_USER, 'others', 200],
  ...STAFF.map((role): Row => ['list followers', role, 'others', 200]),
  ['follow', END_USER, 'own', 403],
  ['follow', END_USER, 'others', 404],
  ...STAFF.map((role): Row => ['follow', role, 'others', 201]),
  ['add a requester as follower', END_USER, 'own', 403],
  ...STAFF.map((role): Row => ['add a requester as follower', role, 'others', 201]),
  ['unfollow', END_USER, 'others', 204],
  ...STAFF.map((role): Row => ['unfollow', role, 'others', 204]),
  ['remove another follower', END_USER, 'own', 403],
  ['remove another follower', END_USER, 'others', 404],
  ...STAFF.map((role): Row => ['remove another follower', role, 'others', 204]),

  // Merging: managers, admins, and the lead of both tickets' teams.
  // Requesters and engineers are refused by role (403), as for deleting a ticket.
  ['merge', END_USER, 'own', 403],
  ['merge', END_USER, 'others', 403],
  ['merge', DEVOPS_ENGINEER, 'mine', 403],
  ['merge', TEAM_LEAD, 'led-team', 200],
  ['merge', TEAM_LEAD, 'other-team', 403],
  ['merge', TEAM_LEAD, 'mine', 403],
  ['merge', MANAGER, 'other-team', 200],
  ['merge', ADMIN, 'other-team', 200],

  // Bulk answers 200 to everyone; each item gets what its single endpoint would answer.
  ['bulk change (item refused)', END_USER, 'own', 200],
  ['bulk change (item refused)', END_USER, 'others', 200],
  ['bulk change (item allowed)', DEVOPS_ENGINEER, 'mine', 200],
  ['bulk change (item refused)', DEVOPS_ENGINEER, 'assigned-other', 200],
  ['bulk change (item allowed)', TEAM_LEAD, 'led-team', 200],
  ['bulk change (item refused)', TEAM_LEAD, 'other-team', 200],
  ['bulk change (item allowed)', MANAGER, 'other-team', 200],
  ['bulk change (item allowed)', ADMIN, 'other-team', 200],
];

export const QUEUE_MATRIX: Matrix = { actions, rows };
