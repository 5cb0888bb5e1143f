import { Role, TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { auth, createTeam, createTicket, ticketBody } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/**
 * The permission matrix of spec §7 for tickets, teams, assignment and SLA policies: one row per
 * (action, role, scenario) → expected status. Every row builds its own users, teams and tickets.
 */

const { END_USER, DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN } = Role;
const ALL_ROLES = [END_USER, DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN];
const STAFF = [DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN];

/** The fixture a row acts on (every ticket is OPEN unless the action prepares another state). */
const SCENARIOS = {
  none: 'no fixture',
  own: 'own ticket (unassigned)',
  others: "someone else's unassigned ticket",
  mine: 'ticket assigned to them',
  'assigned-other': 'ticket assigned to another engineer',
  'led-team': 'ticket of a team they lead, assigned to another engineer',
  'other-team': 'ticket of another team, assigned to another engineer',
  team: 'a team with a member',
  'own-team': 'the team they lead',
} as const;
type Scenario = keyof typeof SCENARIOS;

interface World {
  actor: TestUser;
  admin: TestUser;
  manager: TestUser;
  /** An END_USER other than the actor, the reporter of every ticket the actor did not report. */
  requester: TestUser;
  /** A DEVOPS_ENGINEER other than the actor, the assignee of "assigned to another" tickets. */
  engineer: TestUser;
  /** A DEVOPS_ENGINEER in no team at all. */
  stranger: TestUser;
  /** TEAM_LEAD actors only: a team the actor leads, and a MEMBER of it. */
  ledTeam?: Record<string, any>;
  member?: TestUser;
  /** The ticket the row acts on, as it is right before the action. */
  ticket?: Record<string, any>;
  /** A second ticket (reported by the requester) for the list rows. */
  otherTicket?: Record<string, any>;
  /** The team (and one of its members) the team rows act on. */
  team?: Record<string, any>;
  teamMember?: TestUser;
}

interface Action {
  /** Puts the fixture into the state the action starts from (runs as ADMIN/MANAGER). */
  prepare?: (w: World) => Promise<void>;
  request: (w: World) => supertest.Test;
  /** Further checks of a 2xx answer. */
  verify?: (res: supertest.Response, w: World) => void | Promise<void>;
  /** Does the action change `w.ticket` (so a refusal must leave it untouched)? */
  mutatesTicket?: boolean;
}

type Row = [action: string, role: Role, scenario: Scenario, status: number];

const SLA_P4 = { response_minutes: 24 * 60, resolution_minutes: 168 * 60 };
const uniqueName = (prefix: string) => `${prefix} ${crypto.randomUUID().slice(0, 8)}`;

describe('permission matrix (spec §7)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const as = (user: TestUser) => ({
    get: (url: string) =>
      t
        .http()
        .get(url)
        .set(...auth(user)),
    post: (url: string, body: object = {}) =>
      t
        .http()
        .post(url)
        .set(...auth(user))
        .send(body),
    put: (url: string, body: object) =>
      t
        .http()
        .put(url)
        .set(...auth(user))
        .send(body),
    patch: (url: string, body: object) =>
      t
        .http()
        .patch(url)
        .set(...auth(user))
        .send(body),
    delete: (url: string) =>
      t
        .http()
        .delete(url)
        .set(...auth(user)),
  });

  /** Every item of a collection answer. */
  const itemsOf = (res: supertest.Response) => res.body.items as Record<string, any>[];
  const idsOf = (res: supertest.Response) => itemsOf(res).map((item) => item.id as string);

  function expectOk(res: supertest.Response, status: number, what: string): Record<string, any> {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, any>;
  }

  /** A ticket by `reporter`, moved to OPEN by an admin: by assigning it, or by a status change. */
  async function openTicket(
    w: World,
    reporter: TestUser,
    assigneeId: string | null,
    teamId?: string,
  ): Promise<Record<string, any>> {
    const ticket = await createTicket(t, reporter);
    if (assigneeId !== null) {
      return expectOk(
        await as(w.admin).put(`/api/v1/tickets/${ticket.id}/assign`, { assignee_id: assigneeId, team_id: teamId }),
        200,
        'fixture assign',
      );
    }
    return expectOk(
      await as(w.admin).patch(`/api/v1/tickets/${ticket.id}/status`, { status: TicketStatus.OPEN }),
      200,
      'fixture open',
    );
  }

  async function arrange(role: Role, scenario: Scenario): Promise<World> {
    const w: World = {
      actor: t.user(role),
      admin: t.user(ADMIN),
      manager: t.user(MANAGER),
      requester: t.user(END_USER),
      engineer: t.user(DEVOPS_ENGINEER),
      stranger: t.user(DEVOPS_ENGINEER),
    };
    if (role === TEAM_LEAD) {
      w.member = t.user(DEVOPS_ENGINEER);
      w.ledTeam = await createTeam(t, w.manager, uniqueName('Led'), [
        { user: w.actor, role: 'LEAD' },
        { user: w.member, role: 'MEMBER' },
      ]);
    }
    switch (scenario) {
      case 'none':
        break;
      case 'own':
        w.ticket = await openTicket(w, w.actor, null);
        break;
      case 'others':
        w.ticket = await openTicket(w, w.requester, null);
        break;
      case 'mine':
        w.ticket = await openTicket(w, w.requester, w.actor.id);
        break;
      case 'assigned-other':
        w.ticket = await openTicket(w, w.requester, w.engineer.id);
        break;
      case 'led-team':
        if (!w.ledTeam) throw new Error('led-team needs a TEAM_LEAD actor');
        w.ticket = await openTicket(w, w.requester, w.engineer.id, w.ledTeam.id);
        break;
      case 'other-team': {
        const otherTeam = await createTeam(t, w.manager, uniqueName('Other'), [
          { user: t.user(TEAM_LEAD), role: 'LEAD' },
          { user: w.engineer, role: 'MEMBER' },
        ]);
        w.ticket = await openTicket(w, w.requester, w.engineer.id, otherTeam.id);
        break;
      }
      case 'team':
        w.teamMember = t.user(DEVOPS_ENGINEER);
        w.team = await createTeam(t, w.manager, uniqueName('Team'), [{ user: w.teamMember, role: 'MEMBER' }]);
        break;
      case 'own-team':
        if (!w.ledTeam) throw new Error('own-team needs a TEAM_LEAD actor');
        w.team = w.ledTeam;
        w.teamMember = w.member;
        break;
    }
    return w;
  }

  const ticketUrl = (w: World, suffix = '') => `/api/v1/tickets/${w.ticket!.id}${suffix}`;
  const teamUrl = (w: World, suffix = '') => `/api/v1/teams/${w.team!.id}${suffix}`;
  const statusOf = (status: TicketStatus) => (res: supertest.Response) => expect(res.body.status).toBe(status);
  const assignTo = (pick: (w: World) => string): Action => ({
    mutatesTicket: true,
    request: (w) => as(w.actor).put(ticketUrl(w, '/assign'), { assignee_id: pick(w) }),
    verify: (res, w) => expect(res.body.assignee_id).toBe(pick(w)),
  });
  const resolveFirst = async (w: World) => {
    w.ticket = expectOk(
      await as(w.admin).post(ticketUrl(w, '/resolve'), { resolution_notes: 'Pruned old images from the disk.' }),
      200,
      'fixture resolve',
    );
  };

  const actions: Record<string, Action> = {
    'create ticket': {
      request: (w) => as(w.actor).post('/api/v1/tickets', ticketBody()),
      verify: (res, w) => {
        expect(res.body.reporter_id).toBe(w.actor.id);
        expect(res.body.status).toBe(TicketStatus.NEW);
      },
    },
    'list tickets': {
      prepare: async (w) => {
        w.otherTicket = await createTicket(t, w.requester);
      },
      request: (w) => as(w.actor).get('/api/v1/tickets?page_size=100'),
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
      prepare: async (w) => {
        w.otherTicket = await createTicket(t, w.requester);
      },
      request: (w) => as(w.actor).get(`/api/v1/tickets?reporter_id=${w.requester.id}`),
      verify: (res, w) => {
        expect(idsOf(res)).toEqual(w.actor.role === END_USER ? [] : [w.otherTicket!.id]);
      },
    },
    'get ticket': {
      request: (w) => as(w.actor).get(ticketUrl(w)),
      verify: (res, w) => expect(res.body.id).toBe(w.ticket!.id),
    },
    'get history': {
      request: (w) => as(w.actor).get(ticketUrl(w, '/history')),
      verify: (res, w) => {
        const entries = itemsOf(res);
        expect(entries.length).toBeGreaterThan(0);
        expect(entries.every((entry) => entry.ticket_id === w.ticket!.id)).toBe(true);
      },
    },
    'PUT ticket': {
      mutatesTicket: true,
      request: (w) =>
        as(w.actor).put(ticketUrl(w), ticketBody({ title: 'Replaced title here', team_id: w.ticket!.team_id })),
      verify: (res) => expect(res.body.title).toBe('Replaced title here'),
    },
    'PATCH ticket': {
      mutatesTicket: true,
      request: (w) => as(w.actor).patch(ticketUrl(w), { priority: 'P2' }),
      verify: (res) => expect(res.body.priority).toBe('P2'),
    },
    'PATCH status → IN_PROGRESS': {
      mutatesTicket: true,
      request: (w) => as(w.actor).patch(ticketUrl(w, '/status'), { status: TicketStatus.IN_PROGRESS }),
      verify: statusOf(TicketStatus.IN_PROGRESS),
    },
    'PATCH status → CLOSED': {
      mutatesTicket: true,
      request: (w) => as(w.actor).patch(ticketUrl(w, '/status'), { status: TicketStatus.CLOSED }),
      verify: statusOf(TicketStatus.CLOSED),
    },
    resolve: {
      mutatesTicket: true,
      request: (w) =>
        as(w.actor).post(ticketUrl(w, '/resolve'), { resolution_notes: 'Cleared the cache and restarted it.' }),
      verify: statusOf(TicketStatus.RESOLVED),
    },
    close: {
      mutatesTicket: true,
      request: (w) => as(w.actor).post(ticketUrl(w, '/close'), {}),
      verify: statusOf(TicketStatus.CLOSED),
    },
    'reopen (RESOLVED)': {
      mutatesTicket: true,
      prepare: resolveFirst,
      request: (w) => as(w.actor).post(ticketUrl(w, '/reopen'), { reason: 'The disk filled up again today.' }),
      verify: statusOf(TicketStatus.REOPENED),
    },
    'reopen (CLOSED, within the window)': {
      mutatesTicket: true,
      prepare: async (w) => {
        w.ticket = expectOk(await as(w.admin).post(ticketUrl(w, '/close'), {}), 200, 'fixture close');
      },
      request: (w) => as(w.actor).post(ticketUrl(w, '/reopen'), { reason: 'The disk filled up again today.' }),
      verify: statusOf(TicketStatus.REOPENED),
    },
    'assign self': assignTo((w) => w.actor.id),
    'assign a member of a team they lead': assignTo((w) => w.member!.id),
    'assign someone else (in no team of theirs)': assignTo((w) => w.stranger.id),
    'delete ticket': {
      mutatesTicket: true,
      request: (w) => as(w.actor).delete(ticketUrl(w)),
      verify: async (_res, w) => {
        await as(w.admin).get(ticketUrl(w)).expect(404);
      },
    },
    'list teams': {
      request: (w) => as(w.actor).get('/api/v1/teams?page_size=100'),
      verify: (res) => {
        // The collection envelope of spec §2 (other rows' teams are in the same database).
        const total = res.body.total as number;
        expect(res.body).toEqual({
          items: expect.any(Array),
          total: expect.any(Number),
          page: 1,
          page_size: 100,
          pages: Math.ceil(total / 100),
        });
        expect(itemsOf(res)).toHaveLength(Math.min(total, 100));
      },
    },
    'get team': {
      request: (w) => as(w.actor).get(teamUrl(w)),
      verify: (res, w) => expect(res.body.id).toBe(w.team!.id),
    },
    'create team': {
      request: (w) => as(w.actor).post('/api/v1/teams', { name: uniqueName('New') }),
      verify: (res) => expect(res.body.members).toEqual([]),
    },
    'rename team': {
      request: (w) => as(w.actor).patch(teamUrl(w), { name: `Renamed ${w.team!.name}` }),
      verify: (res, w) => expect(res.body.name).toBe(`Renamed ${w.team!.name}`),
    },
    'delete team': {
      request: (w) => as(w.actor).delete(teamUrl(w)),
      verify: async (_res, w) => {
        await as(w.admin).get(teamUrl(w)).expect(404);
      },
    },
    'add team member': {
      request: (w) => as(w.actor).post(teamUrl(w, '/members'), { user_id: w.actor.id, role: 'MEMBER' }),
      verify: (res, w) => expect(res.body.members).toContainEqual({ user_id: w.actor.id, role: 'MEMBER' }),
    },
    'remove team member': {
      request: (w) => as(w.actor).delete(teamUrl(w, `/members/${w.teamMember!.id}`)),
      verify: async (_res, w) => {
        const team = await as(w.admin).get(teamUrl(w)).expect(200);
        expect(team.body.members).not.toContainEqual(expect.objectContaining({ user_id: w.teamMember!.id }));
      },
    },
    'get SLA policies': {
      request: (w) => as(w.actor).get('/api/v1/sla/policies'),
      verify: (res) => expect(itemsOf(res).map((item) => item.priority as string)).toEqual(['P1', 'P2', 'P3', 'P4']),
    },
    'PUT SLA policy P4': {
      request: (w) => as(w.actor).put('/api/v1/sla/policies/P4', SLA_P4),
      verify: (res) => expect(res.body).toMatchObject({ priority: 'P4', ...SLA_P4 }),
    },
  };

  /** "Editable" (spec §7): END_USER never (own → 403, others' → 404), engineers theirs, leads theirs and their teams'. */
  const editableRows = (action: string, endUserOwn = 403): Row[] => [
    [action, END_USER, 'own', endUserOwn],
    [action, END_USER, 'others', 404],
    [action, DEVOPS_ENGINEER, 'mine', 200],
    [action, DEVOPS_ENGINEER, 'assigned-other', 403],
    [action, DEVOPS_ENGINEER, 'others', 403],
    [action, TEAM_LEAD, 'mine', 200],
    [action, TEAM_LEAD, 'led-team', 200],
    [action, TEAM_LEAD, 'other-team', 403],
    [action, TEAM_LEAD, 'assigned-other', 403],
    [action, MANAGER, 'other-team', 200],
    [action, ADMIN, 'other-team', 200],
  ];

  /** Managing teams is for MANAGER and ADMIN; a TEAM_LEAD may not manage even the team they lead. */
  const teamManageRows = (action: string, ok: number): Row[] => [
    ...ALL_ROLES.map((role): Row => [action, role, 'team', role === MANAGER || role === ADMIN ? ok : 403]),
    ...(action === 'create team' ? [] : [[action, TEAM_LEAD, 'own-team', 403] satisfies Row]),
  ];

  const rows: Row[] = [
    ...ALL_ROLES.map((role): Row => ['create ticket', role, 'none', 201]),
    ...ALL_ROLES.map((role): Row => ['list tickets', role, 'own', 200]),
    ...ALL_ROLES.map((role): Row => ["list tickets filtered by another reporter's id", role, 'none', 200]),

    ['get ticket', END_USER, 'own', 200],
    ['get ticket', END_USER, 'others', 404],
    ...STAFF.map((role): Row => ['get ticket', role, 'others', 200]),
    ['get history', END_USER, 'own', 200],
    ['get history', END_USER, 'others', 404],
    ...STAFF.map((role): Row => ['get history', role, 'others', 200]),

    ...editableRows('PUT ticket'),
    ...editableRows('PATCH ticket'),
    ...editableRows('PATCH status → IN_PROGRESS'),
    ...editableRows('PATCH status → CLOSED', 200),
    ...editableRows('resolve'),
    ...editableRows('close'),

    ['reopen (RESOLVED)', END_USER, 'own', 200],
    ['reopen (RESOLVED)', END_USER, 'others', 404],
    ['reopen (RESOLVED)', DEVOPS_ENGINEER, 'others', 200],
    ['reopen (RESOLVED)', DEVOPS_ENGINEER, 'assigned-other', 200],
    ['reopen (RESOLVED)', TEAM_LEAD, 'other-team', 200],
    ['reopen (RESOLVED)', MANAGER, 'other-team', 200],
    ['reopen (RESOLVED)', ADMIN, 'other-team', 200],
    ['reopen (CLOSED, within the window)', END_USER, 'own', 200],
    ['reopen (CLOSED, within the window)', END_USER, 'others', 404],
    ['reopen (CLOSED, within the window)', DEVOPS_ENGINEER, 'assigned-other', 200],

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
    ['assign someone else (in no team of theirs)', MANAGER, 'assigned-other', 200],
    ['assign someone else (in no team of theirs)', MANAGER, 'other-team', 200],
    ['assign someone else (in no team of theirs)', ADMIN, 'assigned-other', 200],
    ['assign someone else (in no team of theirs)', ADMIN, 'other-team', 200],

    ['delete ticket', END_USER, 'own', 403],
    ['delete ticket', DEVOPS_ENGINEER, 'mine', 403],
    ['delete ticket', TEAM_LEAD, 'led-team', 403],
    ['delete ticket', MANAGER, 'other-team', 403],
    ['delete ticket', ADMIN, 'other-team', 204],
    ['delete ticket', ADMIN, 'others', 204],

    ...ALL_ROLES.map((role): Row => ['list teams', role, 'none', role === END_USER ? 403 : 200]),
    ...ALL_ROLES.map((role): Row => ['get team', role, 'team', role === END_USER ? 403 : 200]),
    ...teamManageRows('create team', 201),
    ...teamManageRows('rename team', 200),
    ...teamManageRows('delete team', 204),
    ...teamManageRows('add team member', 201),
    ...teamManageRows('remove team member', 204),

    ...ALL_ROLES.map((role): Row => ['get SLA policies', role, 'none', 200]),
    ...ALL_ROLES.map((role): Row => ['PUT SLA policy P4', role, 'none', role === ADMIN ? 200 : 403]),
  ];

  const table = rows.map(([action, role, scenario, status]): [string, Role, string, number, Scenario] => [
    action,
    role,
    SCENARIOS[scenario],
    status,
    scenario,
  ]);

  it.each(table)('%s as %s on %s → %i', async (actionName, role, _description, status, scenario) => {
    const action = actions[actionName];
    const w = await arrange(role, scenario);
    await action.prepare?.(w);
    const before = w.ticket ? expectOk(await as(w.admin).get(ticketUrl(w)), 200, 'fixture read') : null;

    const res = await action.request(w);

    // Compared with the body alongside, so a wrong status shows the answer in the diff.
    expect({ status: res.status, body: res.body }).toEqual({ status, body: res.body });
    if (status === 403) expect(res.body.error_code).toBe('FORBIDDEN');
    if (status === 404) expect(res.body.error_code).toBe('NOT_FOUND');
    if (status < 300) {
      await action.verify?.(res, w);
    } else if (before && action.mutatesTicket) {
      // A refused change leaves the ticket as it was.
      const after = await as(w.admin).get(ticketUrl(w)).expect(200);
      expect(after.body.version).toBe(before.version);
    }
  });
});
