import {
  type Action,
  ADMIN,
  ALL_ROLES,
  DEVOPS_ENGINEER,
  END_USER,
  itemsOf,
  MANAGER,
  type Matrix,
  type Row,
  TEAM_LEAD,
  teamUrl,
  uniqueName,
  WORKING_CALENDAR,
} from './harness';

/** Spec §7 for teams, their members and their metrics. */

const actions: Record<string, Action> = {
  'list teams': {
    route: 'GET /api/v1/teams',
    request: (w) => w.call.get('/api/v1/teams?page_size=100'),
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
    route: 'GET /api/v1/teams/:team_id',
    request: (w) => w.call.get(teamUrl(w)),
    verify: (res, w) => expect(res.body.id).toBe(w.team!.id),
  },
  'create team': {
    route: 'POST /api/v1/teams',
    request: (w) => w.call.post('/api/v1/teams', { name: uniqueName('New') }),
    verify: (res) => expect(res.body.members).toEqual([]),
  },
  'rename team': {
    route: 'PATCH /api/v1/teams/:team_id',
    request: (w) => w.call.patch(teamUrl(w), { name: `Renamed ${w.team!.name}` }),
    verify: (res, w) => expect(res.body.name).toBe(`Renamed ${w.team!.name}`),
  },
  'delete team': {
    route: 'DELETE /api/v1/teams/:team_id',
    request: (w) => w.call.delete(teamUrl(w)),
    verify: async (_res, w) => {
      await w.asAdmin.get(teamUrl(w)).expect(404);
    },
  },
  'add team member': {
    route: 'POST /api/v1/teams/:team_id/members',
    request: (w) => w.call.post(teamUrl(w, '/members'), { user_id: w.actor.id, role: 'MEMBER' }),
    verify: (res, w) => expect(res.body.members).toContainEqual({ user_id: w.actor.id, role: 'MEMBER' }),
  },
  'make themselves LEAD': {
    route: 'POST /api/v1/teams/:team_id/members',
    request: (w) => w.call.post(teamUrl(w, '/members'), { user_id: w.actor.id, role: 'LEAD' }),
    verify: (res, w) => expect(res.body.members).toContainEqual({ user_id: w.actor.id, role: 'LEAD' }),
  },
  'remove team member': {
    route: 'DELETE /api/v1/teams/:team_id/members/:user_id',
    request: (w) => w.call.delete(teamUrl(w, `/members/${w.teamMember!.id}`)),
    verify: async (_res, w) => {
      const team = await w.asAdmin.get(teamUrl(w)).expect(200);
      expect(team.body.members).not.toContainEqual(expect.objectContaining({ user_id: w.teamMember!.id }));
    },
  },
  'get team calendar': {
    route: 'GET /api/v1/teams/:team_id/calendar',
    request: (w) => w.call.get(teamUrl(w, '/calendar')),
    verify: (res) => expect(res.body).toMatchObject({ time_zone: expect.any(String), week: expect.any(Object) }),
  },
  'set team calendar': {
    route: 'PUT /api/v1/teams/:team_id/calendar',
    request: (w) => w.call.put(teamUrl(w, '/calendar'), WORKING_CALENDAR),
    verify: (res, w) => expect(res.body).toMatchObject({ team_id: w.team!.id, ...WORKING_CALENDAR }),
  },
  'drop team calendar': {
    route: 'DELETE /api/v1/teams/:team_id/calendar',
    request: (w) => w.call.delete(teamUrl(w, '/calendar')),
    verify: async (_res, w) => {
      const fallback = await w.asAdmin.get(teamUrl(w, '/calendar')).expect(200);
      expect(fallback.body.team_id).toBeNull();
    },
  },
  'team metrics': {
    route: 'GET /api/v1/teams/:team_id/metrics',
    request: (w) => w.call.get(teamUrl(w, '/metrics')),
    verify: (res, w) => expect(res.body.team_id).toBe(w.team!.id),
  },
};

/** Managing teams is for MANAGER and ADMIN; a TEAM_LEAD may not manage even the team they lead. */
const teamManageRows = (action: string, ok: number): Row[] => [
  ...ALL_ROLES.map((role): Row => [action, role, 'team', role === MANAGER || role === ADMIN ? ok : 403]),
  ...(action === 'create team'
    ? []
    : ([
        [action, TEAM_LEAD, 'own-team', 403],
        [action, DEVOPS_ENGINEER, 'member-team', 403],
      ] satisfies Row[])),
];

/** A team's calendar: ADMIN, or a LEAD of that very team (issue 14); MANAGER does not manage calendars. */
const teamCalendarRows = (action: string, ok: number): Row[] => [
  ...ALL_ROLES.map((role): Row => [action, role, 'team', role === ADMIN ? ok : 403]),
  [action, TEAM_LEAD, 'own-team', ok],
  [action, TEAM_LEAD, 'member-team', 403],
  [action, DEVOPS_ENGINEER, 'member-team', 403],
];

const rows: Row[] = [
  ...ALL_ROLES.map((role): Row => ['list teams', role, 'none', role === END_USER ? 403 : 200]),
  ...ALL_ROLES.map((role): Row => ['get team', role, 'team', role === END_USER ? 403 : 200]),
  ...teamManageRows('create team', 201),
  ...teamManageRows('rename team', 200),
  ...teamManageRows('delete team', 204),
  ...teamManageRows('add team member', 201),
  ...teamManageRows('make themselves LEAD', 201),
  ...teamManageRows('remove team member', 204),

  ...ALL_ROLES.map((role): Row => ['get team calendar', role, 'team', 200]),
  ...teamCalendarRows('set team calendar', 200),
  ...teamCalendarRows('drop team calendar', 204),

  // A lead's powers over a team come from being its LEAD member (spec §4), not from the role alone.
  ['team metrics', END_USER, 'team', 403],
  ['team metrics', DEVOPS_ENGINEER, 'team', 403],
  ['team metrics', DEVOPS_ENGINEER, 'member-team', 403],
  ['team metrics', TEAM_LEAD, 'team', 403],
  ['team metrics', TEAM_LEAD, 'member-team', 403],
  ['team metrics', TEAM_LEAD, 'own-team', 200],
  ['team metrics', MANAGER, 'team', 200],
  ['team metrics', ADMIN, 'team', 200],
];

export const TEAM_MATRIX: Matrix = { actions, rows };
