import { randomUUID } from 'node:crypto';
import { Role, TicketPriority, TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { auth, createTeam, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

const TICKETS = '/api/v1/tickets';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** F: the start of the reporting window; every instant of the fixture is F + h hours. */
const F = new Date('2026-03-01T00:00:00.000Z');
const at = (h: number) => new Date(F.getTime() + h * HOUR_MS);
const iso = (h: number) => at(h).toISOString();

/** The window asked for: [F, F+120h). The report is read at NOW = F+132h (after the window ends). */
const FROM = iso(0);
const TO = iso(120);
const NOW = at(132);

const metricsUrl = (teamId: string) => `/api/v1/teams/${teamId}/metrics`;

/** Spec §2: the one error body; `errors` present exactly on VALIDATION_ERROR. */
function expectError(res: supertest.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  const expected: Record<string, unknown> = {
    detail: expect.any(String),
    error_code: code,
    request_id: res.headers['x-request-id'],
  };
  if (code === 'VALIDATION_ERROR') expected.errors = expect.any(Array);
  expect(res.body).toStrictEqual(expected);
}

describe('team metrics — GET /api/v1/teams/{team_id}/metrics (spec §4 Team, §6, §7)', () => {
  let t: TestApp;
  let manager: TestUser;
  /** Creates every ticket (so it is their reporter); never a first responder. */
  let creator: TestUser;
  /** Staff who is not the reporter: their NEW → OPEN / assignment is the first response (spec §6). */
  let responder: TestUser;
  let lead: TestUser;
  let member: TestUser;
  let team: Record<string, any>;
  let otherLead: TestUser;
  let otherTeam: Record<string, any>;

  async function ticketAt(h: number, priority: TicketPriority, teamId: string): Promise<Record<string, any>> {
    t.setNow(at(h));
    return createTicket(t, creator, { priority, team_id: teamId });
  }

  async function moveAt(h: number, id: string, status: TicketStatus): Promise<void> {
    t.setNow(at(h));
    await t
      .http()
      .patch(`${TICKETS}/${id}/status`)
      .set(...auth(responder))
      .send({ status })
      .expect(200);
  }

  async function assignAt(h: number, id: string, assignee: TestUser): Promise<void> {
    t.setNow(at(h));
    await t
      .http()
      .put(`${TICKETS}/${id}/assign`)
      .set(...auth(responder))
      .send({ assignee_id: assignee.id })
      .expect(200);
  }

  async function resolveAt(h: number, id: string): Promise<void> {
    t.setNow(at(h));
    await t
      .http()
      .post(`${TICKETS}/${id}/resolve`)
      .set(...auth(responder))
      .send({ resolution_notes: 'Freed disk space and added a cleanup job.' })
      .expect(200);
  }

  async function closeAt(h: number, id: string): Promise<void> {
    t.setNow(at(h));
    await t
      .http()
      .post(`${TICKETS}/${id}/close`)
      .set(...auth(responder))
      .send({})
      .expect(200);
  }

  async function deleteAt(h: number, id: string): Promise<void> {
    t.setNow(at(h));
    await t
      .http()
      .delete(`${TICKETS}/${id}`)
      .set(...auth(responder))
      .expect(204);
  }

  function getMetrics(user: TestUser, teamId: string, query: Record<string, string> = {}) {
    return t
      .http()
      .get(metricsUrl(teamId))
      .query(query)
      .set(...auth(user));
  }

  beforeAll(async () => {
    t = await startTestApp();
    manager = t.user(Role.MANAGER);
    creator = t.user(Role.ADMIN);
    responder = t.user(Role.ADMIN);
    lead = t.user(Role.TEAM_LEAD);
    member = t.user(Role.DEVOPS_ENGINEER);
    otherLead = t.user(Role.TEAM_LEAD);
    team = await createTeam(t, manager, 'Metrics platform team', [
      { user: lead, role: 'LEAD' },
      { user: member, role: 'MEMBER' },
    ]);
    otherTeam = await createTeam(t, manager, 'Metrics other team', [{ user: otherLead, role: 'LEAD' }]);

    // SLA (spec §6): P1 1h/4h, P2 4h/24h, P3 8h/72h, P4 24h/168h (response / resolution).
    // Times are hours after F. "FR" = first response.

    // A1: P1 at F+0 (exactly `from`: inclusive). FR +0.5h (due +1h: met). Resolved at +3h (due +4h: met).
    const a1 = await ticketAt(0, TicketPriority.P1, team.id);
    await moveAt(0.5, a1.id, TicketStatus.OPEN);
    await resolveAt(3, a1.id);

    // A2: P2 at F+10. FR by assignment at +12h (due +14h: met). Resolved at +40h (due +34h: late).
    const a2 = await ticketAt(10, TicketPriority.P2, team.id);
    await assignAt(12, a2.id, member);
    await resolveAt(40, a2.id);

    // A3: P3 at F+20. FR at +30h (due +28h: late). Resolved at +60h (due +92h: met), closed at +61h.
    const a3 = await ticketAt(20, TicketPriority.P3, team.id);
    await moveAt(30, a3.id, TicketStatus.OPEN);
    await resolveAt(60, a3.id);
    await closeAt(61, a3.id);

    // A6: P3 at F+30. FR at +31h (due +38h: met). PENDING_INFO since +32h: resolution due +102h is pushed
    // back by the running pause (at NOW: 102 + (132 - 32) = 202 > 132), so it is not breached.
    const a6 = await ticketAt(30, TicketPriority.P3, team.id);
    await moveAt(31, a6.id, TicketStatus.OPEN);
    await moveAt(32, a6.id, TicketStatus.PENDING_INFO);

    // A7: P4 at F+50. FR (NEW → IN_PROGRESS) at +80h (due +74h: late). Resolution due +218h.
    const a7 = await ticketAt(50, TicketPriority.P4, team.id);
    await moveAt(80, a7.id, TicketStatus.IN_PROGRESS);

    // A4: P3 at F+100, never answered: response due +108h (past at NOW), resolution due +172h.
    await ticketAt(100, TicketPriority.P3, team.id);

    // A5: P2 at F+110. FR at +111h (due +114h: met). Resolution due +134h (not yet at NOW).
    const a5 = await ticketAt(110, TicketPriority.P2, team.id);
    await moveAt(111, a5.id, TicketStatus.OPEN);

    // A8: P4 at F+115, never answered: response due +139h, resolution due +283h (both still ahead at NOW).
    await ticketAt(115, TicketPriority.P4, team.id);

    // O1: P1 at F-48h (before the window), never answered: response due -47h, resolution due -44h.
    await ticketAt(-48, TicketPriority.P1, team.id);

    // O2: P3 at F+120h (exactly `to`: exclusive). FR at +121h (due +128h: met).
    const o2 = await ticketAt(120, TicketPriority.P3, team.id);
    await moveAt(121, o2.id, TicketStatus.OPEN);

    // Other team: B1 open and breached, B2 answered late and resolved late. Never counted for `team`.
    await ticketAt(5, TicketPriority.P1, otherTeam.id);
    const b2 = await ticketAt(6, TicketPriority.P1, otherTeam.id);
    await moveAt(9, b2.id, TicketStatus.OPEN);
    await resolveAt(20, b2.id);

    // Soft-deleted tickets of `team`: D1 open and breached, D2 answered and resolved. Never counted anywhere.
    const d1 = await ticketAt(5, TicketPriority.P1, team.id);
    await deleteAt(7, d1.id);
    const d2 = await ticketAt(6, TicketPriority.P2, team.id);
    await moveAt(6.25, d2.id, TicketStatus.OPEN);
    await resolveAt(7, d2.id);
    await deleteAt(8, d2.id);

    t.setNow(null);
  });

  afterAll(async () => {
    await t.close();
  });

  afterEach(() => {
    t.setNow(null);
  });

  it('reports the hand-computed numbers for the window [F, F+120h), read at F+132h', async () => {
    t.setNow(NOW);
    const res = await getMetrics(manager, team.id, { from: FROM, to: TO }).expect(200);

    // Open now (status not RESOLVED/CLOSED, any creation date, not deleted, this team):
    // A4 NEW P3, A5 OPEN P2, A6 PENDING_INFO P3, A7 IN_PROGRESS P4, A8 NEW P4, O1 NEW P1, O2 OPEN P3.
    // (A1, A2 RESOLVED and A3 CLOSED are not open; D1 deleted; B1 is another team's.)
    const openTickets = {
      total: 7,
      by_status: { NEW: 3, OPEN: 2, PENDING_INFO: 1, IN_PROGRESS: 1 },
      by_priority: { P1: 1, P2: 1, P3: 3, P4: 2 },
    };
    // Breached now among the open: A4 (no FR, due +108h), A7 (FR late), O1 (no FR, due -47h) = 3.
    // Not: A5 (FR met, resolution due +134h), A6 (paused), A8 (due +139h), O2 (FR met).
    const breachedOpen = 3;

    // In the window: A1..A8. Response measured = answered or past due: A1..A7 (A8 due +139h > NOW) = 7.
    // Met (FR <= due): A1, A2, A5, A6 = 4 → 4 / 7 = 57.142…% → 57.14.
    const responseSla = { measured: 7, met: 4, compliance_percent: 57.14 };
    // Resolution measured = resolved or past due: A1, A2, A3 (A4 +172h, A5 +134h, A6 paused, A7, A8 ahead) = 3.
    // Met: A1 (+3h <= +4h), A3 (+60h <= +92h); A2 late → 2 / 3 = 66.666…% → 66.67.
    const resolutionSla = { measured: 3, met: 2, compliance_percent: 66.67 };

    // Creation → FR (seconds), in the window: A1 1800, A2 7200, A3 36000, A5 3600, A6 3600, A7 108000.
    // Sum 160200 / 6 = 26700. Sorted: 1800, 3600, 3600, 7200, 36000, 108000;
    // p90 (percentile_cont): position 0.9 × 5 = 4.5 → 36000 + 0.5 × (108000 − 36000) = 72000.
    const firstResponse = { count: 6, mean_seconds: 26700, p90_seconds: 72000 };
    // Creation → resolution: A1 10800, A2 108000 (30h), A3 144000 (40h). Sum 262800 / 3 = 87600.
    // p90: position 0.9 × 2 = 1.8 → 108000 + 0.8 × (144000 − 108000) = 136800.
    const resolution = { count: 3, mean_seconds: 87600, p90_seconds: 136800 };

    expect(res.body).toEqual({
      team_id: team.id,
      from: FROM,
      to: TO,
      open_tickets: openTickets,
      breached_open: breachedOpen,
      response_sla: responseSla,
      resolution_sla: resolutionSla,
      time_to_first_response: firstResponse,
      time_to_resolution: resolution,
    });
  });

  it('defaults to the 30 days before now, which takes in O1 and O2 as well', async () => {
    t.setNow(NOW);
    const res = await getMetrics(manager, team.id).expect(200);

    // Window [NOW − 30 d, NOW): A1..A8, O1 (F−48h) and O2 (F+120h).
    // Response measured: the 7 above + O1 (past due) + O2 (answered) = 9; met: 4 + O2 = 5 → 55.555…% → 55.56.
    // Resolution measured: the 3 above + O1 (due −44h, unresolved) = 4; met 2 → 50.
    // FR: the six above + O2 3600 → sum 163800 / 7 = 23400. Sorted: 1800, 3600, 3600, 3600, 7200, 36000, 108000;
    // p90: position 0.9 × 6 = 5.4 → 36000 + 0.4 × 72000 = 64800. Resolution times unchanged.
    expect(res.body).toEqual({
      team_id: team.id,
      from: new Date(NOW.getTime() - 30 * DAY_MS).toISOString(),
      to: NOW.toISOString(),
      open_tickets: {
        total: 7,
        by_status: { NEW: 3, OPEN: 2, PENDING_INFO: 1, IN_PROGRESS: 1 },
        by_priority: { P1: 1, P2: 1, P3: 3, P4: 2 },
      },
      breached_open: 3,
      response_sla: { measured: 9, met: 5, compliance_percent: 55.56 },
      resolution_sla: { measured: 4, met: 2, compliance_percent: 50 },
      time_to_first_response: { count: 7, mean_seconds: 23400, p90_seconds: 64800 },
      time_to_resolution: { count: 3, mean_seconds: 87600, p90_seconds: 136800 },
    });
  });

  it('defaults `from` to 30 days before the given `to`, and `to` to now when only `from` is given', async () => {
    t.setNow(NOW);
    const onlyTo = await getMetrics(manager, team.id, { to: TO }).expect(200);
    expect(onlyTo.body.from).toBe(new Date(at(120).getTime() - 30 * DAY_MS).toISOString());
    expect(onlyTo.body.to).toBe(TO);

    const onlyFrom = await getMetrics(manager, team.id, { from: FROM }).expect(200);
    expect(onlyFrom.body.from).toBe(FROM);
    expect(onlyFrom.body.to).toBe(NOW.toISOString());
  });

  it('echoes the window in UTC with Z when the query uses an offset', async () => {
    t.setNow(NOW);
    const res = await getMetrics(manager, team.id, {
      from: '2026-03-01T01:00:00+01:00',
      to: '2026-03-05T20:00:00-04:00',
    }).expect(200);
    expect(res.body.from).toBe(FROM);
    expect(res.body.to).toBe(TO);
    expect(res.body.response_sla).toEqual({ measured: 7, met: 4, compliance_percent: 57.14 });
  });

  it('answers zeros and nulls for a team without tickets', async () => {
    t.setNow(NOW);
    const empty = await createTeam(t, manager, 'Metrics empty team');
    const res = await getMetrics(manager, empty.id, { from: FROM, to: TO }).expect(200);
    expect(res.body).toEqual({
      team_id: empty.id,
      from: FROM,
      to: TO,
      open_tickets: { total: 0, by_status: {}, by_priority: {} },
      breached_open: 0,
      response_sla: { measured: 0, met: 0, compliance_percent: null },
      resolution_sla: { measured: 0, met: 0, compliance_percent: null },
      time_to_first_response: { count: 0, mean_seconds: null, p90_seconds: null },
      time_to_resolution: { count: 0, mean_seconds: null, p90_seconds: null },
    });
  });

  it('rejects a window whose `from` is not before `to` with 400', async () => {
    expectError(await getMetrics(manager, team.id, { from: TO, to: FROM }), 400, 'VALIDATION_ERROR');
    expectError(await getMetrics(manager, team.id, { from: FROM, to: FROM }), 400, 'VALIDATION_ERROR');
  });

  it.each([
    ['from', { from: 'not-a-date' }],
    ['to', { to: 'yesterday' }],
    ['from (impossible day)', { from: '2026-02-30T00:00:00Z' }],
    ['to (month 13)', { to: '2026-13-01T00:00:00Z' }],
  ])('rejects a malformed %s with 400', async (_name, query) => {
    expectError(await getMetrics(manager, team.id, query), 400, 'VALIDATION_ERROR');
  });

  it('answers 404 for an unknown team and 400 for a team id that is not a UUID', async () => {
    expectError(await getMetrics(manager, randomUUID()), 404, 'NOT_FOUND');
    expectError(await getMetrics(t.user(Role.ADMIN), randomUUID()), 404, 'NOT_FOUND');
    expectError(await getMetrics(manager, 'not-a-uuid'), 400, 'VALIDATION_ERROR');
  });

  it('answers 401 without a token', async () => {
    const res = await t.http().get(metricsUrl(team.id));
    expectError(res, 401, 'UNAUTHORIZED');
  });

  describe('who may read (spec §7: team metrics — teams they lead, MANAGER and ADMIN any)', () => {
    it('lets the TEAM_LEAD who leads the team read it', async () => {
      const res = await getMetrics(lead, team.id, { from: FROM, to: TO }).expect(200);
      expect(res.body.team_id).toBe(team.id);
    });

    it('lets a MANAGER and an ADMIN read any team', async () => {
      for (const user of [t.user(Role.MANAGER), t.user(Role.ADMIN)]) {
        const res = await getMetrics(user, team.id, { from: FROM, to: TO }).expect(200);
        expect(res.body.team_id).toBe(team.id);
      }
    });

    it('forbids a TEAM_LEAD who leads another team', async () => {
      expectError(await getMetrics(otherLead, team.id), 403, 'FORBIDDEN');
      // …while that lead may read their own team.
      await getMetrics(otherLead, otherTeam.id).expect(200);
    });

    it('forbids a TEAM_LEAD who is only a MEMBER of the team, and one in no team', async () => {
      const plainMember = t.user(Role.TEAM_LEAD);
      const memberTeam = await createTeam(t, manager, 'Metrics member-only team', [
        { user: plainMember, role: 'MEMBER' },
      ]);
      expectError(await getMetrics(plainMember, memberTeam.id), 403, 'FORBIDDEN');
      expectError(await getMetrics(t.user(Role.TEAM_LEAD), team.id), 403, 'FORBIDDEN');
    });

    it('forbids a DEVOPS_ENGINEER, even a member of the team', async () => {
      expectError(await getMetrics(member, team.id), 403, 'FORBIDDEN');
      expectError(await getMetrics(t.user(Role.DEVOPS_ENGINEER), team.id), 403, 'FORBIDDEN');
    });

    it('forbids an END_USER', async () => {
      expectError(await getMetrics(t.user(Role.END_USER), team.id), 403, 'FORBIDDEN');
    });
  });
});
