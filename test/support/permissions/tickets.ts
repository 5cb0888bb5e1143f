import { TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { createTicket, ticketBody } from '../factories';
import {
  type Action,
  ADMIN,
  ALL_ROLES,
  DEVOPS_ENGINEER,
  END_USER,
  expectOk,
  idsOf,
  itemsOf,
  MANAGER,
  type Matrix,
  REOPEN_REASON,
  resolveFirst,
  type Row,
  STAFF,
  TEAM_LEAD,
  ticketUrl,
  type World,
} from './harness';

/** Spec §7 for tickets, their actions and their history. */

const statusOf = (status: TicketStatus) => (res: supertest.Response) => expect(res.body.status).toBe(status);

const assignTo = (pick: (w: World) => string): Action => ({
  route: 'PUT /api/v1/tickets/:ticket_id/assign',
  request: (w) => w.call.put(ticketUrl(w, '/assign'), { assignee_id: pick(w) }),
  verify: (res, w) => expect(res.body.assignee_id).toBe(pick(w)),
});

const closeFirst = async (w: World) => {
  w.ticket = expectOk(await w.asAdmin.post(ticketUrl(w, '/close'), {}), 200, 'fixture close');
};

const actions: Record<string, Action> = {
  'create ticket': {
    route: 'POST /api/v1/tickets',
    request: (w) => w.call.post('/api/v1/tickets', ticketBody()),
    verify: (res, w) => {
      expect(res.body.reporter_id).toBe(w.actor.id);
      expect(res.body.status).toBe(TicketStatus.NEW);
    },
  },
  'list tickets': {
    route: 'GET /api/v1/tickets',
    prepare: async (w) => {
      w.otherTicket = await createTicket(w.t, w.requester);
    },
    request: (w) => w.call.get('/api/v1/tickets?page_size=100'),
    verify: (res, w) => {
      const ids = idsOf(res);
      if (w.actor.role === END_USER) {
        expect(ids).toEqual([w.ticket!.id]);
        expect(res.body.total).toBe(1);
      } else {
        expect(ids).toEqual(expect.arrayContaining([w.ticket!.id, w.otherTicket!.id]));
      }
    },
  },
  "list tickets filtered by another reporter's id": {
    route: 'GET /api/v1/tickets',
    prepare: async (w) => {
      w.otherTicket = await createTicket(w.t, w.requester);
    },
    request: (w) => w.call.get(`/api/v1/tickets?reporter_id=${w.requester.id}`),
    verify: (res, w) => {
      expect(idsOf(res)).toEqual(w.actor.role === END_USER ? [] : [w.otherTicket!.id]);
    },
  },
  'get ticket': {
    route: 'GET /api/v1/tickets/:ticket_id',
    request: (w) => w.call.get(ticketUrl(w)),
    verify: (res, w) => expect(res.body.id).toBe(w.ticket!.id),
  },
  'get ticket by number': {
    route: 'GET /api/v1/tickets/by-number/:ticket_number',
    request: (w) => w.call.get(`/api/v1/tickets/by-number/${w.ticket!.ticket_number}`),
    verify: (res, w) => expect(res.body.id).toBe(w.ticket!.id),
  },
  'get history': {
    route: 'GET /api/v1/tickets/:ticket_id/history',
    request: (w) => w.call.get(ticketUrl(w, '/history')),
    verify: (res, w) => {
      const entries = itemsOf(res);
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((entry) => entry.ticket_id === w.ticket!.id)).toBe(true);
    },
  },
  'PUT ticket': {
    route: 'PUT /api/v1/tickets/:ticket_id',
    request: (w) => w.call.put(ticketUrl(w), ticketBody({ title: 'Replaced title here', team_id: w.ticket!.team_id })),
    verify: (res) => expect(res.body.title).toBe('Replaced title here'),
  },
  'PATCH ticket': {
    route: 'PATCH /api/v1/tickets/:ticket_id',
    request: (w) => w.call.patch(ticketUrl(w), { priority: 'P2' }),
    verify: (res) => expect(res.body.priority).toBe('P2'),
  },
  'PATCH status → IN_PROGRESS': {
    route: 'PATCH /api/v1/tickets/:ticket_id/status',
    request: (w) => w.call.patch(ticketUrl(w, '/status'), { status: TicketStatus.IN_PROGRESS }),
    verify: statusOf(TicketStatus.IN_PROGRESS),
  },
  'PATCH status → CLOSED': {
    route: 'PATCH /api/v1/tickets/:ticket_id/status',
    request: (w) => w.call.patch(ticketUrl(w, '/status'), { status: TicketStatus.CLOSED }),
    verify: statusOf(TicketStatus.CLOSED),
  },
  'PATCH status → REOPENED (RESOLVED)': {
    route: 'PATCH /api/v1/tickets/:ticket_id/status',
    prepare: resolveFirst,
    request: (w) => w.call.patch(ticketUrl(w, '/status'), { status: TicketStatus.REOPENED, notes: REOPEN_REASON }),
    verify: statusOf(TicketStatus.REOPENED),
  },
  resolve: {
    route: 'POST /api/v1/tickets/:ticket_id/resolve',
    request: (w) => w.call.post(ticketUrl(w, '/resolve'), { resolution_notes: 'Cleared the cache and restarted it.' }),
    verify: statusOf(TicketStatus.RESOLVED),
  },
  close: {
    route: 'POST /api/v1/tickets/:ticket_id/close',
    request: (w) => w.call.post(ticketUrl(w, '/close'), {}),
    verify: statusOf(TicketStatus.CLOSED),
  },
  'reopen (RESOLVED)': {
    route: 'POST /api/v1/tickets/:ticket_id/reopen',
    prepare: resolveFirst,
    request: (w) => w.call.post(ticketUrl(w, '/reopen'), { reason: REOPEN_REASON }),
    verify: statusOf(TicketStatus.REOPENED),
  },
  'reopen (CLOSED, within the window)': {
    route: 'POST /api/v1/tickets/:ticket_id/reopen',
    prepare: closeFirst,
    request: (w) => w.call.post(ticketUrl(w, '/reopen'), { reason: REOPEN_REASON }),
    verify: statusOf(TicketStatus.REOPENED),
  },
  'assign self': assignTo((w) => w.actor.id),
  'assign a member of a team they lead': assignTo((w) => w.member!.id),
  'assign someone else (in no team of theirs)': assignTo((w) => w.stranger.id),
  'delete ticket': {
    route: 'DELETE /api/v1/tickets/:ticket_id',
    request: (w) => w.call.delete(ticketUrl(w)),
    verify: async (_res, w) => {
      await w.asAdmin.get(ticketUrl(w)).expect(404);
    },
  },
};

/**
 * "Editable" (spec §7): END_USER never (own → 403, others' → 404), engineers theirs, leads theirs and those of the
 * teams they lead (being a MEMBER of a team gives nothing).
 */
const editableRows = (action: string, endUserOwn = 403): Row[] => [
  [action, END_USER, 'own', endUserOwn],
  [action, END_USER, 'others', 404],
  [action, DEVOPS_ENGINEER, 'mine', 200],
  [action, DEVOPS_ENGINEER, 'assigned-other', 403],
  [action, DEVOPS_ENGINEER, 'others', 403],
  [action, DEVOPS_ENGINEER, 'member-team-ticket', 403],
  [action, TEAM_LEAD, 'mine', 200],
  [action, TEAM_LEAD, 'led-team', 200],
  [action, TEAM_LEAD, 'other-team', 403],
  [action, TEAM_LEAD, 'member-team-ticket', 403],
  [action, TEAM_LEAD, 'assigned-other', 403],
  [action, MANAGER, 'other-team', 200],
  [action, ADMIN, 'other-team', 200],
];

/** Reopening needs only visibility: END_USER their own, staff any ticket. */
const reopenRows = (action: string): Row[] => [
  [action, END_USER, 'own', 200],
  [action, END_USER, 'others', 404],
  [action, DEVOPS_ENGINEER, 'others', 200],
  [action, DEVOPS_ENGINEER, 'assigned-other', 200],
  [action, TEAM_LEAD, 'other-team', 200],
  [action, MANAGER, 'other-team', 200],
  [action, ADMIN, 'other-team', 200],
];

const rows: Row[] = [
  ...ALL_ROLES.map((role): Row => ['create ticket', role, 'none', 201]),
  ...ALL_ROLES.map((role): Row => ['list tickets', role, 'own', 200]),
  ...ALL_ROLES.map((role): Row => ["list tickets filtered by another reporter's id", role, 'none', 200]),

  ['get ticket', END_USER, 'own', 200],
  ['get ticket', END_USER, 'others', 404],
  ...STAFF.map((role): Row => ['get ticket', role, 'others', 200]),
  ['get ticket by number', END_USER, 'own', 200],
  ['get ticket by number', END_USER, 'others', 404],
  ...STAFF.map((role): Row => ['get ticket by number', role, 'others', 200]),
  ['get history', END_USER, 'own', 200],
  ['get history', END_USER, 'others', 404],
  ...STAFF.map((role): Row => ['get history', role, 'others', 200]),

  ...editableRows('PUT ticket'),
  ...editableRows('PATCH ticket'),
  ...editableRows('PATCH status → IN_PROGRESS'),
  ...editableRows('PATCH status → CLOSED', 200),
  ...editableRows('resolve'),
  ...editableRows('close'),

  ...reopenRows('reopen (RESOLVED)'),
  ['reopen (CLOSED, within the window)', END_USER, 'own', 200],
  ['reopen (CLOSED, within the window)', END_USER, 'others', 404],
  ['reopen (CLOSED, within the window)', DEVOPS_ENGINEER, 'assigned-other', 200],
  // §7 lets a requester move their own ticket only to CLOSED through /status; reopening goes through /reopen.
  ...reopenRows('PATCH status → REOPENED (RESOLVED)').map(([action, caller, scenario, status]): Row => [
    action,
    caller,
    scenario,
    caller === END_USER && status === 200 ? 403 : status,
  ]),

  ['assign self', END_USER, 'own', 403],
  ['assign self', END_USER, 'others', 404],
  ['assign someone else (in no team of theirs)', END_USER, 'own', 403],
  ['assign self', DEVOPS_ENGINEER, 'others', 200],
  ['assign self', DEVOPS_ENGINEER, 'mine', 200],
  ['assign self', DEVOPS_ENGINEER, 'assigned-other', 403],
  ['assign someone else (in no team of theirs)', DEVOPS_ENGINEER, 'others', 403],
  ['assign someone else (in no team of theirs)', DEVOPS_ENGINEER, 'mine', 403],
  ['assign self', TEAM_LEAD, 'others', 200],
  ['assign a member of a team they lead', TEAM_LEAD, 'others', 200],
  ['assign someone else (in no team of theirs)', TEAM_LEAD, 'others', 403],
  ['assign a member of a team they lead', TEAM_LEAD, 'mine', 200],
  ['assign a member of a team they lead', TEAM_LEAD, 'led-team', 200],
  ['assign self', TEAM_LEAD, 'led-team', 200],
  ['assign someone else (in no team of theirs)', TEAM_LEAD, 'led-team', 403],
  ['assign self', TEAM_LEAD, 'other-team', 403],
  ['assign a member of a team they lead', TEAM_LEAD, 'other-team', 403],
  ['assign a member of a team they lead', TEAM_LEAD, 'assigned-other', 403],
  ['assign self', TEAM_LEAD, 'member-team-ticket', 403],
  ['assign self', DEVOPS_ENGINEER, 'member-team-ticket', 403],
  ['assign someone else (in no team of theirs)', MANAGER, 'assigned-other', 200],
  ['assign someone else (in no team of theirs)', MANAGER, 'other-team', 200],
  ['assign someone else (in no team of theirs)', ADMIN, 'assigned-other', 200],
  ['assign someone else (in no team of theirs)', ADMIN, 'other-team', 200],

  ['delete ticket', END_USER, 'own', 403],
  ['delete ticket', END_USER, 'others', 403],
  ['delete ticket', DEVOPS_ENGINEER, 'mine', 403],
  ['delete ticket', TEAM_LEAD, 'led-team', 403],
  ['delete ticket', MANAGER, 'other-team', 403],
  ['delete ticket', ADMIN, 'other-team', 204],
  ['delete ticket', ADMIN, 'others', 204],
];

export const TICKET_MATRIX: Matrix = { actions, rows };
