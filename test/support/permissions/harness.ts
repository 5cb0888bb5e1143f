import { ErrorCode, Role, TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { filesUnder, PNG } from '../attachment-files';
import { auth, createTeam, createTicket } from '../factories';
import { startTestApp, type TestApp, type TestUser } from '../test-app';

/**
 * The machinery of the permission matrix (spec §7): who calls (a role, or nobody), on which fixture (a
 * scenario), which action (one route), and the status the spec gives. Every row builds its own users, teams,
 * tickets, comments, attachments and webhooks, so rows never depend on each other; a refused row must leave
 * the database and the attachment store exactly as they were.
 */

export const { END_USER, DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN } = Role;
export const ALL_ROLES: readonly Role[] = [END_USER, DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN];
export const STAFF: readonly Role[] = [DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN];
/** A caller without a token; only public routes have rows for it (the route guard suite probes the rest). */
export const ANONYMOUS = 'ANONYMOUS';
export type Caller = Role | typeof ANONYMOUS;
export const ALL_CALLERS: readonly Caller[] = [...ALL_ROLES, ANONYMOUS];

/**
 * A route as the router registers it: `METHOD /path` with `:param` segments (the OpenAPI path with `{param}`
 * written `:param`). The coverage suite checks every route has rows.
 */
export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

/** The app every permission suite runs: the webhook dispatcher is off, so deliveries stay as the rows leave them. */
export const PERMISSION_APP_ENV = { NOTIFICATIONS_ENABLED: 'false' };

export type Client = ReturnType<typeof clientFor>;

/** Requests as `user` (null: without a token). */
export function clientFor(t: TestApp, user: TestUser | null) {
  const withAuth = (test: supertest.Test) => (user ? test.set(...auth(user)) : test);
  return {
    get: (url: string) => withAuth(t.http().get(url)),
    post: (url: string, body?: object) => {
      const test = withAuth(t.http().post(url));
      return body === undefined ? test : test.send(body);
    },
    put: (url: string, body: object) => withAuth(t.http().put(url)).send(body),
    patch: (url: string, body: object) => withAuth(t.http().patch(url)).send(body),
    delete: (url: string) => withAuth(t.http().delete(url)),
  };
}

export interface World {
  t: TestApp;
  /** The caller's identity (for ANONYMOUS an END_USER whose token is never sent). */
  actor: TestUser;
  /** Requests as the caller. */
  call: Client;
  /** Requests as an admin: fixtures and checks. */
  asAdmin: Client;
  admin: TestUser;
  manager: TestUser;
  /** An END_USER other than the actor, the reporter of every ticket the actor did not report. */
  requester: TestUser;
  /** A DEVOPS_ENGINEER other than the actor: assignee of "assigned to another" tickets, author of others' comments. */
  engineer: TestUser;
  /** A DEVOPS_ENGINEER in no team at all. */
  stranger: TestUser;
  /** TEAM_LEAD actors only: a team the actor leads, and a MEMBER of it. */
  ledTeam?: Record<string, any>;
  member?: TestUser;
  /** The ticket the row acts on, as it is right before the action. */
  ticket?: Record<string, any>;
  /** A second ticket, for the rows that need one (list filters, BOLA probes). */
  otherTicket?: Record<string, any>;
  /** The team (and one of its members) the team rows act on. */
  team?: Record<string, any>;
  teamMember?: TestUser;
  /** The comment, attachment, webhook and delivery the item rows act on. */
  comment?: Record<string, any>;
  attachment?: Record<string, any>;
  webhook?: Record<string, any>;
  delivery?: Record<string, any>;
}

export const uniqueName = (prefix: string) => `${prefix} ${crypto.randomUUID().slice(0, 8)}`;

/** A word no other row uses (letters only, so the text search sees one token). */
export const uniqueWord = () =>
  `zq${Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

export function expectOk(res: supertest.Response, status: number, what: string): Record<string, any> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

export const ticketUrl = (w: World, suffix = '') => `/api/v1/tickets/${w.ticket!.id}${suffix}`;
export const commentUrl = (w: World) => `/api/v1/comments/${w.comment!.id}`;
export const attachmentUrl = (w: World) => `/api/v1/attachments/${w.attachment!.id}`;
export const teamUrl = (w: World, suffix = '') => `/api/v1/teams/${w.team!.id}${suffix}`;
export const webhookUrl = (w: World, suffix = '') => `/api/v1/webhooks/${w.webhook!.id}${suffix}`;

export const REOPEN_REASON = 'The disk filled up again today.';
export const SLA_P4 = { response_minutes: 24 * 60, resolution_minutes: 168 * 60 };
/** A working calendar body for the calendar routes (issue 14). */
export const WORKING_CALENDAR = {
  time_zone: 'Europe/Berlin',
  week: { mon: [['09:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  holidays: ['2026-12-25'],
};

/** Every item of a collection answer. */
export const itemsOf = (res: supertest.Response) => res.body.items as Record<string, any>[];
export const idsOf = (res: supertest.Response) => itemsOf(res).map((item) => item.id as string);

/** A ticket by `reporter`, moved to OPEN by an admin: by assigning it, or by a status change. */
export async function openTicket(
  w: World,
  reporter: TestUser,
  assigneeId: string | null,
  teamId?: string,
): Promise<Record<string, any>> {
  const ticket = await createTicket(w.t, reporter);
  if (assigneeId !== null) {
    return expectOk(
      await w.asAdmin.put(`/api/v1/tickets/${ticket.id}/assign`, { assignee_id: assigneeId, team_id: teamId }),
      200,
      'fixture assign',
    );
  }
  return expectOk(
    await w.asAdmin.patch(`/api/v1/tickets/${ticket.id}/status`, { status: TicketStatus.OPEN }),
    200,
    'fixture open',
  );
}

/** Moves the row's ticket to RESOLVED (as an admin), for the actions that start there. */
export async function resolveFirst(w: World): Promise<void> {
  w.ticket = expectOk(
    await w.asAdmin.post(ticketUrl(w, '/resolve'), { resolution_notes: 'Pruned old images from the disk.' }),
    200,
    'fixture resolve',
  );
}

/** A ticket the actor can see: their own for a requester, a requester's unassigned one for staff. */
export function visibleTicket(w: World): Promise<Record<string, any>> {
  return openTicket(w, w.actor.role === END_USER ? w.actor : w.requester, null);
}

export async function postComment(
  w: World,
  author: TestUser,
  ticketId: string,
  options: { internal?: boolean; content?: string } = {},
): Promise<Record<string, any>> {
  const res = await clientFor(w.t, author).post(`/api/v1/tickets/${ticketId}/comments`, {
    content: options.content ?? 'Checked the logs: the disk filled up at 03:00.',
    is_internal: options.internal ?? false,
  });
  return expectOk(res, 201, 'fixture comment');
}

/** Uploads a small PNG through `client`, onto `commentId` when given. */
export function upload(client: Client, ticketId: string, commentId?: string): supertest.Test {
  const request = client.post(`/api/v1/tickets/${ticketId}/attachments`);
  if (commentId) request.field('comment_id', commentId);
  return request.attach('file', PNG, 'screenshot.png');
}

export async function uploadFile(
  w: World,
  uploader: TestUser,
  ticketId: string,
  commentId?: string,
): Promise<Record<string, any>> {
  return expectOk(await upload(clientFor(w.t, uploader), ticketId, commentId), 201, 'fixture upload');
}

/**
 * A webhook subscription (by an admin other than the actor) with one delivery. It listens to ticket.deleted
 * only, so the rows' many other events add no deliveries; the dispatcher is off, so the delivery stays PENDING.
 */
export async function subscribeWithDelivery(
  w: World,
): Promise<{ webhook: Record<string, any>; delivery: Record<string, any> }> {
  const webhook = expectOk(
    await w.asAdmin.post('/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['ticket.deleted'],
      secret: 'a-shared-secret-of-the-receiver',
    }),
    201,
    'fixture webhook',
  );
  const ticket = await createTicket(w.t, w.requester);
  expectOk(await w.asAdmin.delete(`/api/v1/tickets/${ticket.id}`), 204, 'fixture delete');
  const deliveries = expectOk(
    await w.asAdmin.get(`/api/v1/webhooks/${webhook.id}/deliveries`),
    200,
    'fixture deliveries',
  );
  return { webhook, delivery: deliveries.items[0] as Record<string, any> };
}

/** The fixtures a row can start from. Each arranges the fields of World that its rows use. */
export const SCENARIOS = {
  none: { description: 'no fixture', arrange: () => Promise.resolve() },
  own: {
    description: 'own ticket (unassigned)',
    arrange: async (w: World) => {
      w.ticket = await openTicket(w, w.actor, null);
    },
  },
  others: {
    description: "someone else's unassigned ticket",
    arrange: async (w: World) => {
      w.ticket = await openTicket(w, w.requester, null);
    },
  },
  mine: {
    description: 'ticket assigned to them',
    arrange: async (w: World) => {
      w.ticket = await openTicket(w, w.requester, w.actor.id);
    },
  },
  'assigned-other': {
    description: 'ticket assigned to another engineer',
    arrange: async (w: World) => {
      w.ticket = await openTicket(w, w.requester, w.engineer.id);
    },
  },
  'led-team': {
    description: 'ticket of a team they lead, assigned to another engineer',
    arrange: async (w: World) => {
      if (!w.ledTeam) throw new Error('led-team needs a TEAM_LEAD actor');
      w.ticket = await openTicket(w, w.requester, w.engineer.id, w.ledTeam.id);
    },
  },
  'other-team': {
    description: 'ticket of another team, assigned to another engineer',
    arrange: async (w: World) => {
      const otherTeam = await createTeam(w.t, w.manager, uniqueName('Other'), [
        { user: w.t.user(TEAM_LEAD), role: 'LEAD' },
        { user: w.engineer, role: 'MEMBER' },
      ]);
      w.ticket = await openTicket(w, w.requester, w.engineer.id, otherTeam.id);
    },
  },
  'member-team-ticket': {
    description: 'ticket of a team they are a MEMBER (not the LEAD) of, assigned to another engineer',
    arrange: async (w: World) => {
      const team = await createTeam(w.t, w.manager, uniqueName('Joined'), [
        { user: w.t.user(TEAM_LEAD), role: 'LEAD' },
        { user: w.actor, role: 'MEMBER' },
        { user: w.engineer, role: 'MEMBER' },
      ]);
      w.ticket = await openTicket(w, w.requester, w.engineer.id, team.id);
    },
  },
  team: {
    description: 'a team with a member, led by someone else',
    arrange: async (w: World) => {
      w.teamMember = w.t.user(DEVOPS_ENGINEER);
      w.team = await createTeam(w.t, w.manager, uniqueName('Team'), [
        { user: w.t.user(TEAM_LEAD), role: 'LEAD' },
        { user: w.teamMember, role: 'MEMBER' },
      ]);
    },
  },
  'member-team': {
    description: 'a team they are a MEMBER (not the LEAD) of',
    arrange: async (w: World) => {
      w.teamMember = w.actor;
      w.team = await createTeam(w.t, w.manager, uniqueName('Member'), [
        { user: w.t.user(TEAM_LEAD), role: 'LEAD' },
        { user: w.actor, role: 'MEMBER' },
      ]);
    },
  },
  'own-team': {
    description: 'the team they lead',
    arrange: (w: World) => {
      if (!w.ledTeam) throw new Error('own-team needs a TEAM_LEAD actor');
      w.team = w.ledTeam;
      w.teamMember = w.member;
      return Promise.resolve();
    },
  },
  'own-comment': {
    description: 'their own public comment on a ticket they see',
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.comment = await postComment(w, w.actor, w.ticket.id);
    },
  },
  'own-note': {
    description: 'their own internal note on a ticket they see',
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.comment = await postComment(w, w.actor, w.ticket.id, { internal: true });
    },
  },
  'others-comment': {
    description: "an engineer's public comment on a ticket they see",
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.comment = await postComment(w, w.engineer, w.ticket.id);
    },
  },
  'others-note': {
    description: "an engineer's internal note on a ticket they see",
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.comment = await postComment(w, w.engineer, w.ticket.id, { internal: true });
    },
  },
  'invisible-comment': {
    description: "a comment on someone else's ticket",
    arrange: async (w: World) => {
      w.ticket = await openTicket(w, w.requester, null);
      w.comment = await postComment(w, w.requester, w.ticket.id);
    },
  },
  'own-attachment': {
    description: 'their own upload on a ticket they see',
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.attachment = await uploadFile(w, w.actor, w.ticket.id);
    },
  },
  'others-attachment': {
    description: "an engineer's upload on a ticket they see",
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.attachment = await uploadFile(w, w.engineer, w.ticket.id);
    },
  },
  'note-attachment': {
    description: "an engineer's upload on an internal note of a ticket they see",
    arrange: async (w: World) => {
      w.ticket = await visibleTicket(w);
      w.comment = await postComment(w, w.engineer, w.ticket.id, { internal: true });
      w.attachment = await uploadFile(w, w.engineer, w.ticket.id, w.comment.id);
    },
  },
  'invisible-attachment': {
    description: "an upload on someone else's ticket",
    arrange: async (w: World) => {
      w.ticket = await openTicket(w, w.requester, null);
      w.attachment = await uploadFile(w, w.requester, w.ticket.id);
    },
  },
  webhook: {
    description: "another admin's webhook with one delivery",
    arrange: async (w: World) => {
      Object.assign(w, await subscribeWithDelivery(w));
    },
  },
} satisfies Record<string, { description: string; arrange: (w: World) => Promise<void> }>;
export type Scenario = keyof typeof SCENARIOS;

export async function arrange(t: TestApp, caller: Caller, scenario: Scenario): Promise<World> {
  const actor = t.user(caller === ANONYMOUS ? END_USER : caller);
  const admin = t.user(ADMIN);
  const w: World = {
    t,
    actor,
    call: clientFor(t, caller === ANONYMOUS ? null : actor),
    asAdmin: clientFor(t, admin),
    admin,
    manager: t.user(MANAGER),
    requester: t.user(END_USER),
    engineer: t.user(DEVOPS_ENGINEER),
    stranger: t.user(DEVOPS_ENGINEER),
  };
  if (caller === TEAM_LEAD) {
    w.member = t.user(DEVOPS_ENGINEER);
    w.ledTeam = await createTeam(t, w.manager, uniqueName('Led'), [
      { user: actor, role: 'LEAD' },
      { user: w.member, role: 'MEMBER' },
    ]);
  }
  await SCENARIOS[scenario].arrange(w);
  return w;
}

/**
 * What a refused request must not change: every row of every table of the service (count and an
 * order-independent hash of their text; the webhook dispatcher, which would write attempts, is off) and the files
 * in the attachment store.
 */
export async function stateOf(t: TestApp): Promise<Record<string, string>> {
  const tables = await t.dataSource.query<{ name: string }[]>(
    'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename',
  );
  const columns = tables.map(
    ({ name }) =>
      `(SELECT count(*) || ':' || coalesce(sum(hashtextextended(x::text, 0)), 0) FROM "${name}" x) AS "${name}"`,
  );
  const [rows] = await t.dataSource.query<Record<string, string>[]>(`SELECT ${columns.join(', ')}`);
  return { ...rows, files: filesUnder(t.config.storage.path).join(' ') };
}

const ERROR_CODE_OF_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
};

export interface Action {
  /** The route the action calls. */
  route: RouteKey;
  /** Puts the fixture into the state the action starts from (as an admin or the fixture's owners). */
  prepare?: (w: World) => Promise<void>;
  request: (w: World) => supertest.Test;
  /** Further checks of a 2xx answer: what the spec says it did. */
  verify?: (res: supertest.Response, w: World) => void | Promise<void>;
  /** Further checks of a refusal's body. */
  verifyRefusal?: (res: supertest.Response) => void;
}

export type Row = [action: string, caller: Caller, scenario: Scenario, status: number];

export interface Matrix {
  actions: Record<string, Action>;
  rows: Row[];
}

/**
 * Runs one row: arrange, act, compare the status (and the spec's error code), then either the action's checks
 * of the success or proof that the refusal changed nothing.
 */
export async function runRow(t: TestApp, action: Action, caller: Caller, scenario: Scenario, status: number) {
  const w = await arrange(t, caller, scenario);
  await action.prepare?.(w);
  const before = await stateOf(t);

  const res = await action.request(w);

  // Compared with the body alongside, so a wrong status shows the answer in the diff.
  expect({ status: res.status, body: res.body }).toEqual({ status, body: res.body });
  if (status >= 400) {
    const code = ERROR_CODE_OF_STATUS[status];
    if (code) expect(res.body.error_code).toBe(code);
    action.verifyRefusal?.(res);
    expect(await stateOf(t)).toEqual(before);
  } else {
    await action.verify?.(res, w);
  }
}

/** Registers a matrix as one test per row, against one app on a fresh database. */
export function describeMatrix(title: string, matrix: Matrix): void {
  const table = matrix.rows.map(([action, caller, scenario, status]) => {
    if (!matrix.actions[action]) throw new Error(`row names an unknown action: ${action}`);
    return [action, caller, SCENARIOS[scenario].description, status, scenario] as const;
  });
  describe(title, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(PERMISSION_APP_ENV);
    });

    afterAll(async () => {
      await t.close();
    });

    it.each(table)('%s as %s on %s → %i', (action, caller, _description, status, scenario) =>
      runRow(t, matrix.actions[action], caller, scenario, status),
    );
  });
}
