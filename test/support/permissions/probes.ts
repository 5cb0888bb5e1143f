import { type Role, TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { createTeam, ticketBody } from '../factories';
import {
  type Action,
  ADMIN,
  attachmentUrl,
  commentUrl,
  DEVOPS_ENGINEER,
  END_USER,
  expectOk,
  idsOf,
  MANAGER,
  type Matrix,
  openTicket,
  postComment,
  REOPEN_REASON,
  resolveFirst,
  type RouteKey,
  type Row,
  type Scenario,
  SLA_P4,
  subscribeWithDelivery,
  TEAM_LEAD,
  teamUrl,
  ticketUrl,
  uniqueName,
  upload,
  webhookUrl,
  WORKING_CALENDAR,
  type World,
} from './harness';
import { alertmanagerPayload, genericAlert, routesTo } from './alerts';
import { DOCUMENTED_ROUTES, sampleValue } from './openapi-routes';
import { followedBySomeone, followerOf, linked, linkedElsewhere, linkOf, secondTicket } from './queue';

/**
 * BOLA probes (another user's resource id in every id position) and mass-assignment probes (server-managed
 * fields in every write), both run through the matrix harness: the spec's status, and a refusal changes nothing.
 */

type Extra = Record<string, unknown>;

const withJson = (test: supertest.Test, extra: Extra) => (Object.keys(extra).length > 0 ? test.send(extra) : test);
const redeliverUrl = (w: World) => webhookUrl(w, `/deliveries/${w.delivery!.id}/redeliver`);

/** A valid call of each route by the row's caller on its fixture; `extra` adds body (or form) fields. */
const CALLS: Partial<Record<RouteKey, (w: World, extra: Extra) => supertest.Test>> = {
  'POST /api/v1/tickets': (w, extra) => w.call.post('/api/v1/tickets', { ...ticketBody(), ...extra }),
  'GET /api/v1/tickets/:ticket_id': (w) => w.call.get(ticketUrl(w)),
  'PUT /api/v1/tickets/:ticket_id': (w, extra) => w.call.put(ticketUrl(w), { ...ticketBody(), ...extra }),
  'PATCH /api/v1/tickets/:ticket_id': (w, extra) => w.call.patch(ticketUrl(w), { priority: 'P2', ...extra }),
  'DELETE /api/v1/tickets/:ticket_id': (w, extra) => withJson(w.call.delete(ticketUrl(w)), extra),
  'PATCH /api/v1/tickets/:ticket_id/status': (w, extra) =>
    w.call.patch(ticketUrl(w, '/status'), { status: TicketStatus.CLOSED, ...extra }),
  'POST /api/v1/tickets/:ticket_id/resolve': (w, extra) =>
    w.call.post(ticketUrl(w, '/resolve'), { resolution_notes: 'Cleared the cache and restarted it.', ...extra }),
  'POST /api/v1/tickets/:ticket_id/close': (w, extra) => w.call.post(ticketUrl(w, '/close'), extra),
  'POST /api/v1/tickets/:ticket_id/reopen': (w, extra) =>
    w.call.post(ticketUrl(w, '/reopen'), { reason: REOPEN_REASON, ...extra }),
  'PUT /api/v1/tickets/:ticket_id/assign': (w, extra) =>
    w.call.put(ticketUrl(w, '/assign'), { assignee_id: w.actor.id, ...extra }),
  'GET /api/v1/tickets/:ticket_id/history': (w) => w.call.get(ticketUrl(w, '/history')),
  'GET /api/v1/tickets/:ticket_id/comments': (w) => w.call.get(ticketUrl(w, '/comments')),
  'POST /api/v1/tickets/:ticket_id/comments': (w, extra) =>
    w.call.post(ticketUrl(w, '/comments'), { content: 'Still failing after the restart.', ...extra }),
  'PUT /api/v1/comments/:comment_id': (w, extra) => w.call.put(commentUrl(w), { content: 'Corrected text.', ...extra }),
  'DELETE /api/v1/comments/:comment_id': (w, extra) => withJson(w.call.delete(commentUrl(w)), extra),
  'GET /api/v1/tickets/:ticket_id/attachments': (w) => w.call.get(ticketUrl(w, '/attachments')),
  'POST /api/v1/tickets/:ticket_id/attachments': (w, extra) => {
    const request = w.call.post(ticketUrl(w, '/attachments'));
    for (const [field, value] of Object.entries(extra)) {
      request.field(field, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return request.attach('file', Buffer.from('disk usage 100%\n'), 'df.log');
  },
  'GET /api/v1/attachments/:attachment_id': (w) => w.call.get(attachmentUrl(w)),
  'DELETE /api/v1/attachments/:attachment_id': (w, extra) => withJson(w.call.delete(attachmentUrl(w)), extra),
  'POST /api/v1/teams': (w, extra) => w.call.post('/api/v1/teams', { name: uniqueName('Probe'), ...extra }),
  'GET /api/v1/teams/:team_id': (w) => w.call.get(teamUrl(w)),
  'PATCH /api/v1/teams/:team_id': (w, extra) => w.call.patch(teamUrl(w), { name: uniqueName('Renamed'), ...extra }),
  'DELETE /api/v1/teams/:team_id': (w, extra) => withJson(w.call.delete(teamUrl(w)), extra),
  'POST /api/v1/teams/:team_id/members': (w, extra) =>
    w.call.post(teamUrl(w, '/members'), { user_id: crypto.randomUUID(), role: 'MEMBER', ...extra }),
  'DELETE /api/v1/teams/:team_id/members/:user_id': (w, extra) =>
    withJson(w.call.delete(teamUrl(w, `/members/${w.teamMember!.id}`)), extra),
  'GET /api/v1/teams/:team_id/metrics': (w) => w.call.get(teamUrl(w, '/metrics')),
  'PUT /api/v1/sla/policies/:priority': (w, extra) => w.call.put('/api/v1/sla/policies/P4', { ...SLA_P4, ...extra }),
  'PUT /api/v1/sla/calendar': (w, extra) => w.call.put('/api/v1/sla/calendar', { ...WORKING_CALENDAR, ...extra }),
  'GET /api/v1/teams/:team_id/calendar': (w) => w.call.get(teamUrl(w, '/calendar')),
  'PUT /api/v1/teams/:team_id/calendar': (w, extra) =>
    w.call.put(teamUrl(w, '/calendar'), { ...WORKING_CALENDAR, ...extra }),
  'DELETE /api/v1/teams/:team_id/calendar': (w, extra) => withJson(w.call.delete(teamUrl(w, '/calendar')), extra),
  'POST /api/v1/webhooks': (w, extra) =>
    w.call.post('/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/probe',
      secret: 'a-shared-secret-of-the-probe',
      ...extra,
    }),
  'GET /api/v1/webhooks/:webhook_id': (w) => w.call.get(webhookUrl(w)),
  'DELETE /api/v1/webhooks/:webhook_id': (w, extra) => withJson(w.call.delete(webhookUrl(w)), extra),
  'GET /api/v1/webhooks/:webhook_id/deliveries': (w) => w.call.get(webhookUrl(w, '/deliveries')),
  'POST /api/v1/webhooks/:webhook_id/deliveries/:delivery_id/redeliver': (w, extra) =>
    withJson(w.call.post(redeliverUrl(w)), extra),
  'POST /api/v1/alerts': (w, extra) => w.call.post('/api/v1/alerts', genericAlert(extra)),
  'POST /api/v1/alerts/alertmanager': (w, extra) =>
    w.call.post('/api/v1/alerts/alertmanager', alertmanagerPayload(extra)),
  'PUT /api/v1/alert-routes': (w, extra) => w.call.put('/api/v1/alert-routes', { ...routesTo(w), ...extra }),
  'GET /api/v1/tickets/:ticket_id/links': (w) => w.call.get(ticketUrl(w, '/links')),
  'POST /api/v1/tickets/:ticket_id/links': (w, extra) =>
    w.call.post(ticketUrl(w, '/links'), { type: 'RELATES_TO', target_id: w.otherTicket!.id, ...extra }),
  'DELETE /api/v1/tickets/:ticket_id/links/:link_id': (w, extra) =>
    withJson(w.call.delete(ticketUrl(w, `/links/${linkOf(w)}`)), extra),
  'GET /api/v1/tickets/:ticket_id/followers': (w) => w.call.get(ticketUrl(w, '/followers')),
  'POST /api/v1/tickets/:ticket_id/followers': (w, extra) => w.call.post(ticketUrl(w, '/followers'), extra),
  'DELETE /api/v1/tickets/:ticket_id/followers/:user_id': (w, extra) =>
    withJson(w.call.delete(ticketUrl(w, `/followers/${followerOf(w)}`)), extra),
  'POST /api/v1/tickets/:ticket_id/merge': (w, extra) =>
    w.call.post(ticketUrl(w, '/merge'), { into_id: w.otherTicket!.id, ...extra }),
  'POST /api/v1/tickets/bulk': (w, extra) =>
    w.call.post('/api/v1/tickets/bulk', { ids: [w.ticket!.id], action: 'priority', priority: 'P2', ...extra }),
};

function callOf(route: RouteKey) {
  const call = CALLS[route];
  if (!call) throw new Error(`no call for ${route}`);
  return call;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* BOLA                                                                                                          */

/** Where an id sits in a request: `path:<param>`, `body:<field>`, `form:<field>` or `query:<param>`. */
export type IdPosition = `${'path' | 'body' | 'form' | 'query'}:${string}`;

export interface BolaProbe {
  route: RouteKey;
  position: IdPosition;
  /** Whose resource sits in that position. */
  foreign: string;
  caller: Role;
  scenario: Scenario;
  status: number;
  prepare?: (w: World) => Promise<void>;
  /** The request (default: the route's valid call on the fixture). */
  request?: (w: World) => supertest.Test;
  verify?: Action['verify'];
}

/** Every route with a ticket id in its path, for a requester probing another requester's ticket. */
const TICKET_PATH_ROUTES: RouteKey[] = [
  'GET /api/v1/tickets/:ticket_id',
  'PUT /api/v1/tickets/:ticket_id',
  'PATCH /api/v1/tickets/:ticket_id',
  'DELETE /api/v1/tickets/:ticket_id',
  'PATCH /api/v1/tickets/:ticket_id/status',
  'POST /api/v1/tickets/:ticket_id/resolve',
  'POST /api/v1/tickets/:ticket_id/close',
  'POST /api/v1/tickets/:ticket_id/reopen',
  'PUT /api/v1/tickets/:ticket_id/assign',
  'GET /api/v1/tickets/:ticket_id/history',
  'GET /api/v1/tickets/:ticket_id/comments',
  'POST /api/v1/tickets/:ticket_id/comments',
  'GET /api/v1/tickets/:ticket_id/attachments',
  'POST /api/v1/tickets/:ticket_id/attachments',
];

/** The ticket writes that need edit rights, for an engineer probing a ticket assigned to someone else. */
const TICKET_EDIT_ROUTES: RouteKey[] = [
  'PUT /api/v1/tickets/:ticket_id',
  'PATCH /api/v1/tickets/:ticket_id',
  'PATCH /api/v1/tickets/:ticket_id/status',
  'POST /api/v1/tickets/:ticket_id/resolve',
  'POST /api/v1/tickets/:ticket_id/close',
  'PUT /api/v1/tickets/:ticket_id/assign',
];

/** A comment on a ticket the actor cannot see, as the fixture's `comment` (the form/body id to smuggle in). */
const foreignComment = async (w: World) => {
  const hidden = await openTicket(w, w.requester, null);
  w.comment = await postComment(w, w.requester, hidden.id);
};

const listTicketsBy = (query: (w: World) => string) => (w: World) => w.call.get(`/api/v1/tickets?${query(w)}`);
const noTickets = (res: supertest.Response) => expect(idsOf(res)).toEqual([]);

/** Links, followers and merges of a ticket a requester does not see (the fixture each call needs is prepared). */
const QUEUE_PATH_ROUTES: [RouteKey, ((w: World) => Promise<void>) | undefined][] = [
  ['GET /api/v1/tickets/:ticket_id/links', undefined],
  ['POST /api/v1/tickets/:ticket_id/links', secondTicket],
  ['DELETE /api/v1/tickets/:ticket_id/links/:link_id', linked],
  ['GET /api/v1/tickets/:ticket_id/followers', undefined],
  ['POST /api/v1/tickets/:ticket_id/followers', undefined],
  ['DELETE /api/v1/tickets/:ticket_id/followers/:user_id', followedBySomeone],
];

export const BOLA_PROBES: BolaProbe[] = [
  ...QUEUE_PATH_ROUTES.map(([route, prepare]): BolaProbe => ({
    route,
    position: 'path:ticket_id',
    foreign: "another requester's ticket",
    caller: END_USER,
    scenario: 'others',
    status: 404,
    prepare,
  })),
  {
    route: 'POST /api/v1/tickets/:ticket_id/merge',
    position: 'path:ticket_id',
    foreign: "another requester's ticket",
    caller: END_USER,
    scenario: 'others',
    status: 403,
    prepare: secondTicket,
  },
  // Bulk answers 200; the foreign id in a parameter is refused for the item, as by the single endpoint.
  {
    route: 'POST /api/v1/tickets/bulk',
    position: 'body:assignee_id',
    foreign: 'another engineer',
    caller: DEVOPS_ENGINEER,
    scenario: 'others',
    status: 200,
    request: (w) =>
      w.call.post('/api/v1/tickets/bulk', { ids: [w.ticket!.id], action: 'assign', assignee_id: w.engineer.id }),
    verify: (res) => expect(res.body.results).toEqual([expect.objectContaining({ status: 403 })]),
  },
  {
    route: 'POST /api/v1/tickets/bulk',
    position: 'body:team_id',
    foreign: 'a team of others',
    caller: END_USER,
    scenario: 'own',
    status: 200,
    prepare: async (w) => {
      w.team = await createTeam(w.t, w.manager, uniqueName('Bulk'));
    },
    request: (w) => w.call.post('/api/v1/tickets/bulk', { ids: [w.ticket!.id], action: 'team', team_id: w.team!.id }),
    verify: (res) => expect(res.body.results).toEqual([expect.objectContaining({ status: 403 })]),
  },
  {
    route: 'POST /api/v1/tickets/:ticket_id/links',
    position: 'body:target_id',
    foreign: "another requester's ticket",
    caller: END_USER,
    scenario: 'own',
    status: 403,
    prepare: async (w) => {
      w.otherTicket = await openTicket(w, w.requester, null);
    },
  },
  {
    route: 'DELETE /api/v1/tickets/:ticket_id/links/:link_id',
    position: 'path:link_id',
    foreign: 'a link between two other tickets',
    caller: MANAGER,
    scenario: 'others',
    status: 404,
    prepare: linkedElsewhere,
  },
  {
    route: 'POST /api/v1/tickets/:ticket_id/followers',
    position: 'body:user_id',
    foreign: 'another requester',
    caller: END_USER,
    scenario: 'own',
    status: 403,
    request: (w) => w.call.post(ticketUrl(w, '/followers'), { user_id: w.requester.id }),
  },
  {
    route: 'DELETE /api/v1/tickets/:ticket_id/followers/:user_id',
    position: 'path:user_id',
    foreign: 'another follower of their ticket',
    caller: END_USER,
    scenario: 'own',
    status: 403,
    prepare: followedBySomeone,
  },
  {
    route: 'POST /api/v1/tickets/:ticket_id/merge',
    position: 'body:into_id',
    foreign: 'a ticket of a team they do not lead',
    caller: TEAM_LEAD,
    scenario: 'led-team',
    status: 403,
    prepare: async (w) => {
      w.otherTicket = await openTicket(w, w.requester, w.engineer.id);
    },
  },
  // Tickets do not exist for requesters who did not report them (404); deleting is for admins only (403 by role).
  ...TICKET_PATH_ROUTES.map((route): BolaProbe => ({
    route,
    position: 'path:ticket_id',
    foreign: "another requester's ticket",
    caller: END_USER,
    scenario: 'others',
    status: route.startsWith('DELETE') ? 403 : 404,
  })),
  ...TICKET_EDIT_ROUTES.map((route): BolaProbe => ({
    route,
    position: 'path:ticket_id',
    foreign: "another engineer's ticket",
    caller: DEVOPS_ENGINEER,
    scenario: 'assigned-other',
    status: 403,
  })),

  ...(['PUT /api/v1/comments/:comment_id', 'DELETE /api/v1/comments/:comment_id'] as const).flatMap(
    (route): BolaProbe[] => [
      {
        route,
        position: 'path:comment_id',
        foreign: "a comment on another requester's ticket",
        caller: END_USER,
        scenario: 'invisible-comment',
        status: 404,
      },
      {
        route,
        position: 'path:comment_id',
        foreign: "an engineer's internal note",
        caller: END_USER,
        scenario: 'others-note',
        status: 404,
      },
      {
        route,
        position: 'path:comment_id',
        foreign: "an engineer's public comment",
        caller: END_USER,
        scenario: 'others-comment',
        status: 403,
      },
      {
        route,
        position: 'path:comment_id',
        foreign: "another engineer's comment",
        caller: DEVOPS_ENGINEER,
        scenario: 'others-comment',
        status: 403,
      },
      {
        route,
        position: 'path:comment_id',
        foreign: "another engineer's internal note",
        caller: MANAGER,
        scenario: 'others-note',
        status: 403,
      },
    ],
  ),

  ...(['GET /api/v1/attachments/:attachment_id', 'DELETE /api/v1/attachments/:attachment_id'] as const).flatMap(
    (route): BolaProbe[] => [
      {
        route,
        position: 'path:attachment_id',
        foreign: "an upload on another requester's ticket",
        caller: END_USER,
        scenario: 'invisible-attachment',
        status: 404,
      },
      {
        route,
        position: 'path:attachment_id',
        foreign: 'an upload on an internal note',
        caller: END_USER,
        scenario: 'note-attachment',
        status: 404,
      },
    ],
  ),
  {
    route: 'DELETE /api/v1/attachments/:attachment_id',
    position: 'path:attachment_id',
    foreign: "an engineer's upload",
    caller: END_USER,
    scenario: 'others-attachment',
    status: 403,
  },
  {
    route: 'DELETE /api/v1/attachments/:attachment_id',
    position: 'path:attachment_id',
    foreign: "another engineer's upload",
    caller: DEVOPS_ENGINEER,
    scenario: 'others-attachment',
    status: 403,
  },

  // Teams belong to nobody, but a lead's powers end at the teams they lead, and managing is for managers.
  {
    route: 'GET /api/v1/teams/:team_id/metrics',
    position: 'path:team_id',
    foreign: 'a team someone else leads',
    caller: TEAM_LEAD,
    scenario: 'team',
    status: 403,
  },
  // Calendars are read by everyone (issue 14); a lead writes only the calendar of a team they lead.
  {
    route: 'GET /api/v1/teams/:team_id/calendar',
    position: 'path:team_id',
    foreign: 'any team (readable by every role)',
    caller: END_USER,
    scenario: 'team',
    status: 200,
  },
  {
    route: 'PUT /api/v1/teams/:team_id/calendar',
    position: 'path:team_id',
    foreign: 'a team someone else leads',
    caller: TEAM_LEAD,
    scenario: 'team',
    status: 403,
  },
  {
    route: 'DELETE /api/v1/teams/:team_id/calendar',
    position: 'path:team_id',
    foreign: 'a team they are a member of',
    caller: DEVOPS_ENGINEER,
    scenario: 'member-team',
    status: 403,
  },
  {
    route: 'GET /api/v1/teams/:team_id',
    position: 'path:team_id',
    foreign: 'any team',
    caller: END_USER,
    scenario: 'team',
    status: 403,
  },
  {
    route: 'PATCH /api/v1/teams/:team_id',
    position: 'path:team_id',
    foreign: 'the team they lead',
    caller: TEAM_LEAD,
    scenario: 'own-team',
    status: 403,
  },
  {
    route: 'DELETE /api/v1/teams/:team_id',
    position: 'path:team_id',
    foreign: 'the team they lead',
    caller: TEAM_LEAD,
    scenario: 'own-team',
    status: 403,
  },
  {
    route: 'POST /api/v1/teams/:team_id/members',
    position: 'path:team_id',
    foreign: 'a team someone else leads',
    caller: TEAM_LEAD,
    scenario: 'team',
    status: 403,
  },
  {
    route: 'POST /api/v1/teams/:team_id/members',
    position: 'body:user_id',
    foreign: 'a user put into the team they lead',
    caller: TEAM_LEAD,
    scenario: 'own-team',
    status: 403,
  },
  {
    route: 'DELETE /api/v1/teams/:team_id/members/:user_id',
    position: 'path:team_id',
    foreign: 'the team they lead',
    caller: TEAM_LEAD,
    scenario: 'own-team',
    status: 403,
  },
  {
    route: 'DELETE /api/v1/teams/:team_id/members/:user_id',
    position: 'path:user_id',
    foreign: 'a member of another team',
    caller: MANAGER,
    scenario: 'team',
    status: 404,
    prepare: async (w) => {
      w.teamMember = w.t.user(DEVOPS_ENGINEER);
      await createTeam(w.t, w.manager, uniqueName('Elsewhere'), [{ user: w.teamMember, role: 'MEMBER' }]);
    },
  },

  // Webhooks are the admins', but a delivery belongs to one subscription: mixing them is a 404.
  ...(
    [
      'GET /api/v1/webhooks/:webhook_id',
      'DELETE /api/v1/webhooks/:webhook_id',
      'GET /api/v1/webhooks/:webhook_id/deliveries',
    ] as const
  ).map((route): BolaProbe => ({
    route,
    position: 'path:webhook_id',
    foreign: "an admin's webhook",
    caller: TEAM_LEAD,
    scenario: 'webhook',
    status: 403,
  })),
  {
    route: 'POST /api/v1/webhooks/:webhook_id/deliveries/:delivery_id/redeliver',
    position: 'path:delivery_id',
    foreign: 'a delivery of another webhook',
    caller: ADMIN,
    scenario: 'webhook',
    status: 404,
    prepare: async (w) => {
      w.delivery = (await subscribeWithDelivery(w)).delivery;
    },
  },
  {
    route: 'POST /api/v1/webhooks/:webhook_id/deliveries/:delivery_id/redeliver',
    position: 'path:webhook_id',
    foreign: 'a webhook the delivery does not belong to',
    caller: ADMIN,
    scenario: 'webhook',
    status: 404,
    prepare: async (w) => {
      w.webhook = (await subscribeWithDelivery(w)).webhook;
    },
  },
  {
    route: 'GET /api/v1/webhooks/:webhook_id/deliveries',
    position: 'path:webhook_id',
    foreign: 'deliveries of another webhook (not listed)',
    caller: ADMIN,
    scenario: 'webhook',
    status: 200,
    // The fixture's delivery is now the other webhook's; the listed webhook has deliveries of its own.
    prepare: async (w) => {
      w.delivery = (await subscribeWithDelivery(w)).delivery;
    },
    verify: (res, w) => {
      expect(idsOf(res).length).toBeGreaterThan(0);
      expect(idsOf(res)).not.toContain(w.delivery!.id);
    },
  },

  // Ids in bodies and forms.
  {
    route: 'PUT /api/v1/tickets/:ticket_id/assign',
    position: 'body:assignee_id',
    foreign: 'another engineer as assignee',
    caller: DEVOPS_ENGINEER,
    scenario: 'others',
    status: 403,
    request: (w) => w.call.put(ticketUrl(w, '/assign'), { assignee_id: w.stranger.id }),
  },
  {
    route: 'PUT /api/v1/tickets/:ticket_id/assign',
    position: 'body:assignee_id',
    foreign: 'an engineer in no team they lead',
    caller: TEAM_LEAD,
    scenario: 'others',
    status: 403,
    request: (w) => w.call.put(ticketUrl(w, '/assign'), { assignee_id: w.stranger.id }),
  },
  {
    route: 'PUT /api/v1/tickets/:ticket_id/assign',
    position: 'body:team_id',
    foreign: 'a team, on a ticket they may take but not edit',
    caller: DEVOPS_ENGINEER,
    scenario: 'others',
    status: 403,
    prepare: async (w) => {
      w.team = await createTeam(w.t, w.manager, uniqueName('Pulled'), [{ user: w.actor, role: 'MEMBER' }]);
    },
    request: (w) => w.call.put(ticketUrl(w, '/assign'), { assignee_id: w.actor.id, team_id: w.team!.id }),
  },
  {
    route: 'PUT /api/v1/tickets/:ticket_id/assign',
    position: 'body:team_id',
    foreign: "their team, on another team's unassigned ticket",
    caller: TEAM_LEAD,
    scenario: 'other-team',
    status: 403,
    prepare: async (w) => {
      w.ticket = expectOk(await w.asAdmin.put(ticketUrl(w, '/assign'), { assignee_id: null }), 200, 'fixture unassign');
    },
    request: (w) => w.call.put(ticketUrl(w, '/assign'), { assignee_id: w.actor.id, team_id: w.ledTeam!.id }),
  },
  ...(['POST /api/v1/tickets', 'PUT /api/v1/tickets/:ticket_id', 'PATCH /api/v1/tickets/:ticket_id'] as const).map(
    (route): BolaProbe => ({
      route,
      position: 'body:team_id',
      foreign: 'a team that does not exist',
      caller: ADMIN,
      scenario: 'others',
      status: 400,
      request: (w) => callOf(route)(w, { team_id: crypto.randomUUID() }),
    }),
  ),
  {
    route: 'POST /api/v1/tickets/:ticket_id/attachments',
    position: 'form:comment_id',
    foreign: "a comment on another requester's ticket",
    caller: END_USER,
    scenario: 'own',
    status: 400,
    prepare: foreignComment,
    request: (w) => upload(w.call, w.ticket!.id, w.comment!.id),
  },
  {
    route: 'POST /api/v1/tickets/:ticket_id/attachments',
    position: 'form:comment_id',
    foreign: 'a comment of another ticket',
    caller: DEVOPS_ENGINEER,
    scenario: 'others',
    status: 400,
    prepare: foreignComment,
    request: (w) => upload(w.call, w.ticket!.id, w.comment!.id),
  },
  {
    route: 'GET /api/v1/tickets',
    position: 'query:assignee_id',
    foreign: "the assignee of another requester's ticket",
    caller: END_USER,
    scenario: 'assigned-other',
    status: 200,
    request: listTicketsBy((w) => `assignee_id=${w.engineer.id}`),
    verify: noTickets,
  },
  {
    route: 'GET /api/v1/tickets',
    position: 'query:team_id',
    foreign: "the team of another requester's ticket",
    caller: END_USER,
    scenario: 'other-team',
    status: 200,
    request: listTicketsBy((w) => `team_id=${w.ticket!.team_id}`),
    verify: noTickets,
  },
  {
    route: 'GET /api/v1/tickets',
    position: 'query:reporter_id',
    foreign: 'another requester',
    caller: END_USER,
    scenario: 'others',
    status: 200,
    request: listTicketsBy((w) => `reporter_id=${w.requester.id}`),
    verify: noTickets,
  },
];

export const bolaProbeName = (probe: BolaProbe) => `${probe.route} [${probe.position} = ${probe.foreign}]`;

/** The probes as a matrix: one action per probe. */
export const BOLA_MATRIX: Matrix = {
  actions: Object.fromEntries(
    BOLA_PROBES.map((probe): [string, Action] => [
      bolaProbeName(probe),
      {
        route: probe.route,
        prepare: probe.prepare,
        request: probe.request ?? ((w) => callOf(probe.route)(w, {})),
        verify: probe.verify,
      },
    ]),
  ),
  rows: BOLA_PROBES.map((probe): Row => [bolaProbeName(probe), probe.caller, probe.scenario, probe.status]),
};

/* ------------------------------------------------------------------------------------------------------------ */
/* Mass assignment                                                                                               */

/** A write, and who may make it on which fixture: every probe is a call the caller could otherwise make. */
export interface WriteTarget {
  scenario: Scenario;
  callers: Role[];
  prepare?: (w: World) => Promise<void>;
  /** Server-managed columns the answer does not show (the answer's own fields are probed anyway). */
  hidden: string[];
  /** Documented fields with a value only the service may set. */
  reserved?: Extra;
}

const TICKET_HIDDEN = [
  'deleted_at',
  'paused_seconds',
  'resolution_clock_started_at',
  'search_vector',
  'response_warning_at',
  'resolution_warning_at',
  'time_to_first_response_seconds',
];

/** Every write route; requesters probe the ones they may call themselves. */
export const WRITE_TARGETS: Partial<Record<RouteKey, WriteTarget>> = {
  'POST /api/v1/tickets': { scenario: 'none', callers: [END_USER, ADMIN], hidden: TICKET_HIDDEN },
  'PUT /api/v1/tickets/:ticket_id': { scenario: 'others', callers: [ADMIN], hidden: TICKET_HIDDEN },
  'PATCH /api/v1/tickets/:ticket_id': { scenario: 'others', callers: [ADMIN], hidden: TICKET_HIDDEN },
  'DELETE /api/v1/tickets/:ticket_id': { scenario: 'others', callers: [ADMIN], hidden: ['deleted_at'] },
  'PATCH /api/v1/tickets/:ticket_id/status': { scenario: 'own', callers: [END_USER, ADMIN], hidden: TICKET_HIDDEN },
  'POST /api/v1/tickets/:ticket_id/resolve': { scenario: 'others', callers: [ADMIN], hidden: TICKET_HIDDEN },
  'POST /api/v1/tickets/:ticket_id/close': { scenario: 'others', callers: [ADMIN], hidden: TICKET_HIDDEN },
  'POST /api/v1/tickets/:ticket_id/reopen': {
    scenario: 'own',
    callers: [END_USER, ADMIN],
    prepare: resolveFirst,
    hidden: TICKET_HIDDEN,
  },
  'PUT /api/v1/tickets/:ticket_id/assign': { scenario: 'others', callers: [ADMIN], hidden: TICKET_HIDDEN },
  'POST /api/v1/tickets/:ticket_id/comments': {
    scenario: 'own',
    callers: [END_USER, ADMIN],
    hidden: ['deleted_at', 'search_vector'],
    reserved: { comment_type: 'SYSTEM' },
  },
  'PUT /api/v1/comments/:comment_id': { scenario: 'own-comment', callers: [END_USER, ADMIN], hidden: ['deleted_at'] },
  'DELETE /api/v1/comments/:comment_id': { scenario: 'own-comment', callers: [END_USER], hidden: ['deleted_at'] },
  'POST /api/v1/tickets/:ticket_id/attachments': {
    scenario: 'own',
    callers: [END_USER, ADMIN],
    hidden: ['is_internal', 'storage_key', 'deleted_at'],
  },
  'DELETE /api/v1/attachments/:attachment_id': {
    scenario: 'own-attachment',
    callers: [END_USER],
    hidden: ['deleted_at'],
  },
  'POST /api/v1/teams': { scenario: 'none', callers: [ADMIN], hidden: [] },
  'PATCH /api/v1/teams/:team_id': { scenario: 'team', callers: [ADMIN], hidden: [] },
  'DELETE /api/v1/teams/:team_id': { scenario: 'team', callers: [ADMIN], hidden: ['deleted_at'] },
  'POST /api/v1/teams/:team_id/members': { scenario: 'team', callers: [ADMIN], hidden: ['team_id'] },
  'DELETE /api/v1/teams/:team_id/members/:user_id': { scenario: 'team', callers: [ADMIN], hidden: ['deleted_at'] },
  'PUT /api/v1/sla/policies/:priority': { scenario: 'none', callers: [ADMIN], hidden: [] },
  'PUT /api/v1/sla/calendar': { scenario: 'none', callers: [ADMIN], hidden: ['superseded_at'] },
  'PUT /api/v1/teams/:team_id/calendar': { scenario: 'own-team', callers: [TEAM_LEAD], hidden: ['superseded_at'] },
  'DELETE /api/v1/teams/:team_id/calendar': { scenario: 'team', callers: [ADMIN], hidden: ['superseded_at'] },
  'POST /api/v1/webhooks': { scenario: 'none', callers: [ADMIN], hidden: ['created_by', 'deleted_at'] },
  'DELETE /api/v1/webhooks/:webhook_id': { scenario: 'webhook', callers: [ADMIN], hidden: ['deleted_at'] },
  'POST /api/v1/webhooks/:webhook_id/deliveries/:delivery_id/redeliver': {
    scenario: 'webhook',
    callers: [ADMIN],
    hidden: [],
  },
  'POST /api/v1/alerts': { scenario: 'none', callers: [ADMIN], hidden: [] },
  'POST /api/v1/alerts/alertmanager': { scenario: 'none', callers: [ADMIN], hidden: [] },
  'PUT /api/v1/alert-routes': { scenario: 'team', callers: [ADMIN], hidden: [] },
  'POST /api/v1/tickets/:ticket_id/links': {
    scenario: 'others',
    callers: [ADMIN],
    prepare: secondTicket,
    hidden: ['source_ticket_id', 'target_ticket_id'],
  },
  'DELETE /api/v1/tickets/:ticket_id/links/:link_id': {
    scenario: 'others',
    callers: [ADMIN],
    prepare: linked,
    hidden: [],
  },
  'POST /api/v1/tickets/:ticket_id/followers': { scenario: 'others', callers: [ADMIN], hidden: ['ticket_id'] },
  'DELETE /api/v1/tickets/:ticket_id/followers/:user_id': {
    scenario: 'others',
    callers: [ADMIN],
    prepare: followedBySomeone,
    hidden: [],
  },
  'POST /api/v1/tickets/:ticket_id/merge': {
    scenario: 'others',
    callers: [ADMIN],
    prepare: secondTicket,
    hidden: TICKET_HIDDEN,
  },
  'POST /api/v1/tickets/bulk': { scenario: 'others', callers: [END_USER, ADMIN], hidden: ['ticket'] },
};

/** Values for the hidden columns (the documented ones take a value of their documented type). */
const HIDDEN_VALUES: Record<string, unknown> = {
  deleted_at: '2030-01-01T00:00:00.000Z',
  paused_seconds: 0,
  resolution_clock_started_at: '2030-01-01T00:00:00.000Z',
  search_vector: 'x',
  response_warning_at: '2030-01-01T00:00:00.000Z',
  resolution_warning_at: '2030-01-01T00:00:00.000Z',
  time_to_first_response_seconds: 1,
  superseded_at: '2030-01-01T00:00:00.000Z',
  is_internal: true,
  storage_key: 'attachments/00/elsewhere',
  created_by: crypto.randomUUID(),
  team_id: crypto.randomUUID(),
  source_ticket_id: crypto.randomUUID(),
  target_ticket_id: crypto.randomUUID(),
  ticket_id: crypto.randomUUID(),
  ticket: {},
};

export interface MassAssignmentProbe {
  route: RouteKey;
  field: string;
  value: unknown;
  caller: Role;
  target: WriteTarget;
}

/** Every field a write must refuse: its answer's fields it does not take, its hidden server columns, reserved values. */
export const MASS_ASSIGNMENT_PROBES: MassAssignmentProbe[] = DOCUMENTED_ROUTES.flatMap((documented) => {
  const target = WRITE_TARGETS[documented.route];
  if (!target) return [];
  const answerFields = Object.entries(documented.responseProperties).filter(
    ([field]) => !(field in documented.bodyProperties),
  );
  const fields: [string, unknown][] = [
    ...answerFields.map(([field, schema]): [string, unknown] => [field, sampleValue(schema)]),
    ...target.hidden.map((field): [string, unknown] => [field, HIDDEN_VALUES[field]]),
    ...Object.entries(target.reserved ?? {}),
  ];
  return fields.flatMap(([field, value]) =>
    target.callers.map((caller): MassAssignmentProbe => ({ route: documented.route, field, value, caller, target })),
  );
});

export const massAssignmentProbeName = (probe: MassAssignmentProbe) =>
  `${probe.route} with ${probe.field}=${JSON.stringify(probe.value)}`;

/** The probes as a matrix: each is a 400 naming the field, and nothing stored took it. */
export const MASS_ASSIGNMENT_MATRIX: Matrix = {
  actions: Object.fromEntries(
    MASS_ASSIGNMENT_PROBES.map((probe): [string, Action] => [
      massAssignmentProbeName(probe),
      {
        route: probe.route,
        prepare: probe.target.prepare,
        request: (w) => callOf(probe.route)(w, { [probe.field]: probe.value }),
        verifyRefusal: (res) => expect(res.body.errors).toContainEqual(expect.objectContaining({ field: probe.field })),
      },
    ]),
  ),
  rows: MASS_ASSIGNMENT_PROBES.map((probe): Row => [
    massAssignmentProbeName(probe),
    probe.caller,
    probe.target.scenario,
    400,
  ]),
};
