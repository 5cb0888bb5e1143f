import { Role, SlaClockType, TicketPriority, TicketStatus, type WorkingCalendar } from '@ticketing/contracts';
import { SlaBreachScanner } from '../apps/ticket-service/src/modules/tickets/sla-breach.scanner';
import { auth, createTeam, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/**
 * Business-hours SLA (issue 14): the calendar endpoints, and due dates, pauses, re-prioritisation, reopening,
 * the breach scanner and team metrics counting working time. The service's clock is fixed per step.
 */
const CALENDAR = '/api/v1/sla/calendar';
const teamCalendar = (teamId: string) => `/api/v1/teams/${teamId}/calendar`;
const TICKETS = '/api/v1/tickets';
const at = (iso: string) => new Date(iso);

const weekdays = (shifts: [string, string][]) => ({ mon: shifts, tue: shifts, wed: shifts, thu: shifts, fri: shifts });
/** Mon–Fri 09:00–17:00 in Berlin, Christmas Day off (a Friday in 2026). */
const BERLIN: WorkingCalendar = {
  time_zone: 'Europe/Berlin',
  week: { ...weekdays([['09:00', '17:00']]), sat: [], sun: [] },
  holidays: ['2026-12-25'],
};
/** Mon–Fri 09:00–17:00 in Kathmandu (+05:45). */
const KATHMANDU: WorkingCalendar = { ...BERLIN, time_zone: 'Asia/Kathmandu', holidays: [] };

describe('business-hours SLA (issue 14)', () => {
  let t: TestApp;
  let admin: TestUser;
  let manager: TestUser;
  let lead: TestUser;
  let otherLead: TestUser;
  let engineer: TestUser;
  let reporter: TestUser;
  let team: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = t.user(Role.ADMIN);
    manager = t.user(Role.MANAGER);
    lead = t.user(Role.TEAM_LEAD);
    otherLead = t.user(Role.TEAM_LEAD);
    engineer = t.user(Role.DEVOPS_ENGINEER);
    reporter = t.user(Role.END_USER);
    team = await createTeam(t, manager, 'Calendar platform team', [{ user: lead, role: 'LEAD' }]);
    await createTeam(t, manager, 'Calendar other team', [{ user: otherLead, role: 'LEAD' }]);
  });

  afterAll(async () => {
    await t.close();
  });

  const putCalendar = (user: TestUser, body: unknown, url = CALENDAR) =>
    t
      .http()
      .put(url)
      .set(...auth(user))
      .send(body as object);
  const getCalendar = (user: TestUser, url = CALENDAR) =>
    t
      .http()
      .get(url)
      .set(...auth(user));
  const setClock = (priority: TicketPriority, clock: SlaClockType, response: number, resolution: number) =>
    t
      .http()
      .put(`/api/v1/sla/policies/${priority}`)
      .set(...auth(admin))
      .send({ response_minutes: response, resolution_minutes: resolution, clock })
      .expect(200);
  const ticketAt = (when: string, priority: TicketPriority, extra: Record<string, unknown> = {}) => {
    t.setNow(at(when));
    return createTicket(t, reporter, { priority, ...extra });
  };
  const moveAt = (when: string, id: string, status: TicketStatus) => {
    t.setNow(at(when));
    return t
      .http()
      .patch(`${TICKETS}/${id}/status`)
      .set(...auth(admin))
      .send({ status })
      .expect(200);
  };

  describe('calendar endpoints', () => {
    it('starts with Mon–Fri 09:00–17:00 UTC as the default, readable by every role', async () => {
      const res = await getCalendar(reporter).expect(200);
      expect(res.body).toEqual({
        id: expect.any(String),
        team_id: null,
        time_zone: 'UTC',
        week: { ...weekdays([['09:00', '17:00']]), sat: [], sun: [] },
        holidays: [],
        updated_at: expect.any(String),
      });
    });

    it('lets ADMIN replace the default with a new version', async () => {
      const before = await getCalendar(engineer).expect(200);
      const res = await putCalendar(admin, BERLIN).expect(200);
      expect(res.body).toMatchObject({ ...BERLIN, team_id: null });
      expect(res.body.id).not.toBe(before.body.id);
      expect((await getCalendar(reporter).expect(200)).body).toEqual(res.body);
    });

    it.each([
      ['an unknown zone', { ...BERLIN, time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
      ['an offset instead of a zone', { ...BERLIN, time_zone: '+01:00' }, 'time_zone'],
      ['a malformed time', { ...BERLIN, week: { ...BERLIN.week, mon: [['9:00', '17:00']] } }, 'week.mon'],
      ['an empty shift', { ...BERLIN, week: { ...BERLIN.week, tue: [['17:00', '17:00']] } }, 'week.tue'],
      ['a shift starting at 24:00', { ...BERLIN, week: { ...BERLIN.week, wed: [['24:00', '06:00']] } }, 'week.wed'],
      ['a missing day', { ...BERLIN, week: { ...weekdays([['09:00', '17:00']]), sat: [] } }, 'week.sun'],
      ['an unknown day', { ...BERLIN, week: { ...BERLIN.week, funday: [] } }, 'week.funday'],
      ['an impossible holiday', { ...BERLIN, holidays: ['2026-02-30'] }, 'holidays'],
      ['a week without shifts', { ...BERLIN, week: { ...weekdays([]), sat: [], sun: [] } }, 'week'],
      ['no body', {}, 'time_zone'],
    ])('refuses %s with 400 and changes nothing', async (_case, body, field) => {
      const before = await getCalendar(admin).expect(200);
      const res = await putCalendar(admin, body).expect(400);
      expect(res.body.error_code).toBe('VALIDATION_ERROR');
      expect((res.body.errors as { field: string }[]).map((error) => error.field)).toContain(field);
      expect((await getCalendar(admin).expect(200)).body).toEqual(before.body);
    });

    it('refuses the default calendar to everyone but ADMIN', async () => {
      for (const user of [manager, lead, engineer, reporter]) {
        expect((await putCalendar(user, BERLIN)).status).toBe(403);
      }
    });

    it('gives a team the default until its lead or an ADMIN sets an override, and DELETE falls back', async () => {
      const fallback = await getCalendar(engineer, teamCalendar(team.id)).expect(200);
      expect(fallback.body).toMatchObject({ ...BERLIN, team_id: null });

      expect((await putCalendar(otherLead, KATHMANDU, teamCalendar(team.id))).status).toBe(403);
      expect((await putCalendar(manager, KATHMANDU, teamCalendar(team.id))).status).toBe(403);
      const own = await putCalendar(lead, KATHMANDU, teamCalendar(team.id)).expect(200);
      expect(own.body).toMatchObject({ ...KATHMANDU, team_id: team.id });
      expect((await getCalendar(reporter, teamCalendar(team.id)).expect(200)).body).toEqual(own.body);

      await t
        .http()
        .delete(teamCalendar(team.id))
        .set(...auth(otherLead))
        .expect(403);
      await t
        .http()
        .delete(teamCalendar(team.id))
        .set(...auth(lead))
        .expect(204);
      expect((await getCalendar(reporter, teamCalendar(team.id)).expect(200)).body).toEqual(fallback.body);

      const adminSet = await putCalendar(admin, KATHMANDU, teamCalendar(team.id)).expect(200);
      expect(adminSet.body.team_id).toBe(team.id);
    });

    it('answers 404 for an unknown team and 400 for a malformed id', async () => {
      const unknown = teamCalendar('00000000-0000-4000-8000-000000000000');
      expect((await getCalendar(admin, unknown)).status).toBe(404);
      expect((await putCalendar(admin, KATHMANDU, unknown)).status).toBe(404);
      expect((await getCalendar(admin, teamCalendar('not-a-uuid'))).status).toBe(400);
    });
  });

  describe('tickets on a business-hours clock', () => {
    let defaultCalendarId: string;
    let ticket: Record<string, any>;

    beforeAll(async () => {
      await putCalendar(admin, BERLIN).expect(200);
      defaultCalendarId = (await getCalendar(admin).expect(200)).body.id;
      await setClock(TicketPriority.P3, SlaClockType.BUSINESS_HOURS, 8 * 60, 72 * 60);
      await setClock(TicketPriority.P4, SlaClockType.BUSINESS_HOURS, 24 * 60, 168 * 60);
    });

    afterAll(() => t.setNow(null));

    it('counts due dates over a weekend and a holiday, and shows its clock and calendar', async () => {
      // Thursday 2026-12-24 15:00 CET: 2 h that day, Christmas (Friday) and the weekend off, 6 h on Monday.
      ticket = await ticketAt('2026-12-24T14:00:00Z', TicketPriority.P3);
      expect(ticket).toMatchObject({
        sla_clock: SlaClockType.BUSINESS_HOURS,
        sla_calendar_id: defaultCalendarId,
        response_due_at: '2026-12-28T14:00:00.000Z',
        // 72 working hours: 2 on Thursday, then 8 a day until Thursday 2027-01-07 15:00 CET.
        resolution_due_at: '2027-01-07T14:00:00.000Z',
      });
      const urgent = await ticketAt('2026-12-24T14:00:00Z', TicketPriority.P1);
      expect(urgent).toMatchObject({
        sla_clock: SlaClockType.ROUND_THE_CLOCK,
        response_due_at: '2026-12-24T15:00:00.000Z',
        resolution_due_at: '2026-12-24T18:00:00.000Z',
      });
    });

    it('pauses in PENDING_INFO for the working time spent there only', async () => {
      await moveAt('2026-12-24T14:10:00Z', ticket.id, TicketStatus.IN_PROGRESS);
      // Thursday 16:00 CET to Monday 10:00 CET: 1 working hour on Thursday, 1 on Monday.
      await moveAt('2026-12-24T15:00:00Z', ticket.id, TicketStatus.PENDING_INFO);
      const back = await moveAt('2026-12-28T09:00:00Z', ticket.id, TicketStatus.IN_PROGRESS);
      expect(back.body.resolution_due_at).toBe('2027-01-07T16:00:00.000Z');
      expect(back.body.response_due_at).toBe('2026-12-28T14:00:00.000Z');
    });

    it('recomputes on the new priority’s clock when re-prioritised, keeping the paused working time', async () => {
      t.setNow(at('2026-12-28T10:00:00Z'));
      const res = await t
        .http()
        .patch(`${TICKETS}/${ticket.id}`)
        .set(...auth(admin))
        .send({ priority: TicketPriority.P4 })
        .expect(200);
      // From Thursday 15:00 CET: 24 working hours end Wednesday 15:00 CET; 168 + 2 paused end the 21st working
      // day after Thursday, Monday 2027-01-25, at 17:00 CET.
      expect(res.body).toMatchObject({
        sla_clock: SlaClockType.BUSINESS_HOURS,
        sla_calendar_id: defaultCalendarId,
        response_due_at: '2026-12-30T14:00:00.000Z',
        resolution_due_at: '2027-01-25T16:00:00.000Z',
      });
      const urgent = await t
        .http()
        .patch(`${TICKETS}/${ticket.id}`)
        .set(...auth(admin))
        .send({ priority: TicketPriority.P1 })
        .expect(200);
      expect(urgent.body).toMatchObject({
        sla_clock: SlaClockType.ROUND_THE_CLOCK,
        response_due_at: '2026-12-24T15:00:00.000Z',
      });
      await t
        .http()
        .patch(`${TICKETS}/${ticket.id}`)
        .set(...auth(admin))
        .send({ priority: TicketPriority.P3 })
        .expect(200);
    });

    it('restarts the resolution clock in working hours on reopen', async () => {
      t.setNow(at('2027-01-08T10:00:00Z'));
      await t
        .http()
        .post(`${TICKETS}/${ticket.id}/resolve`)
        .set(...auth(admin))
        .send({ resolution_notes: 'Cleaned the build agent disks.' })
        .expect(200);
      // Reopened Monday 2027-01-11 09:00 CET: 72 working hours end Thursday 2027-01-21 17:00 CET.
      t.setNow(at('2027-01-11T08:00:00Z'));
      const reopened = await t
        .http()
        .post(`${TICKETS}/${ticket.id}/reopen`)
        .set(...auth(reporter))
        .send({ reason: 'The disks filled up again overnight.' })
        .expect(200);
      expect(reopened.body.resolution_due_at).toBe('2027-01-21T16:00:00.000Z');
    });

    it('lets the scanner warn and breach in working time, not wall time', async () => {
      const scanner = t.app.get(SlaBreachScanner);
      // Friday 2026-12-18 16:00 CET: response due Monday 16:00 CET; 80% (6 h 24 min) at Monday 14:24 CET.
      const friday = await ticketAt('2026-12-18T15:00:00Z', TicketPriority.P3);
      expect(friday.response_due_at).toBe('2026-12-21T15:00:00.000Z');
      const flags = async () =>
        (
          await t.dataSource.query(
            `SELECT response_warning_recorded AS warned, response_breach_recorded AS breached FROM tickets WHERE id = $1`,
            [friday.id],
          )
        )[0];

      t.setNow(at('2026-12-20T12:00:00Z')); // Sunday: 44 wall hours later, a 24x7 clock would have breached twice
      await scanner.scan();
      expect(await flags()).toEqual({ warned: false, breached: false });

      t.setNow(at('2026-12-21T13:24:00Z'));
      await scanner.scan();
      expect(await flags()).toEqual({ warned: true, breached: false });

      t.setNow(at('2026-12-21T15:00:00Z'));
      await scanner.scan();
      expect(await flags()).toEqual({ warned: true, breached: false });
      t.setNow(at('2026-12-21T15:00:01Z'));
      await scanner.scan();
      expect(await flags()).toEqual({ warned: true, breached: true });
      const history = await t
        .http()
        .get(`${TICKETS}/${friday.id}/history`)
        .set(...auth(admin))
        .expect(200);
      const breaches = (history.body.items as { change_type: string; metadata: { kind: string } }[]).filter(
        (entry) => entry.change_type === 'SLA_BREACH',
      );
      expect(breaches.map((entry) => entry.metadata.kind)).toEqual(['response']);
    });

    it('applies a calendar change to tickets created after it only', async () => {
      const before = await ticketAt('2027-02-01T08:00:00Z', TicketPriority.P3);
      t.setNow(at('2027-02-01T08:30:00Z'));
      const roundTheWeek = {
        time_zone: 'UTC',
        week: { ...weekdays([['00:00', '24:00']]), sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
        holidays: [],
      };
      const changed = await putCalendar(admin, roundTheWeek).expect(200);

      const unchanged = await t
        .http()
        .get(`${TICKETS}/${before.id}`)
        .set(...auth(admin))
        .expect(200);
      expect(unchanged.body).toMatchObject({
        sla_calendar_id: before.sla_calendar_id,
        response_due_at: before.response_due_at,
        resolution_due_at: before.resolution_due_at,
        version: before.version,
      });
      // Its clock stays Berlin's: due Thursday 2027-02-11 17:00 CET; a pause of two working hours moves that to
      // Friday 11:00 CET (the new round-the-week calendar would have made it Thursday 19:00).
      expect(before.resolution_due_at).toBe('2027-02-11T16:00:00.000Z');
      await moveAt('2027-02-01T09:00:00Z', before.id, TicketStatus.IN_PROGRESS);
      await moveAt('2027-02-01T09:00:00Z', before.id, TicketStatus.PENDING_INFO);
      const resumed = await moveAt('2027-02-01T11:00:00Z', before.id, TicketStatus.IN_PROGRESS);
      expect(resumed.body.resolution_due_at).toBe('2027-02-12T10:00:00.000Z');

      const after = await ticketAt('2027-02-01T09:00:00Z', TicketPriority.P3);
      expect(after).toMatchObject({
        sla_calendar_id: changed.body.id,
        response_due_at: '2027-02-01T17:00:00.000Z',
      });
      await putCalendar(admin, BERLIN).expect(200);
    });

    it('counts a team ticket in the team’s calendar, and its metrics in working time', async () => {
      const override = await getCalendar(admin, teamCalendar(team.id)).expect(200);
      expect(override.body.time_zone).toBe('Asia/Kathmandu');
      // Friday 2027-03-05 16:00 NPT (10:15Z); first response Monday 10:00 NPT (04:15Z): two working hours.
      const teamTicket = await ticketAt('2027-03-05T10:15:00Z', TicketPriority.P3, { team_id: team.id });
      expect(teamTicket).toMatchObject({
        sla_calendar_id: override.body.id,
        response_due_at: '2027-03-08T10:15:00.000Z',
      });
      await moveAt('2027-03-08T04:15:00Z', teamTicket.id, TicketStatus.IN_PROGRESS);
      t.setNow(at('2027-03-09T00:00:00Z'));
      const metrics = await t
        .http()
        .get(`/api/v1/teams/${team.id}/metrics`)
        .query({ from: '2027-03-01T00:00:00Z', to: '2027-03-08T00:00:00Z' })
        .set(...auth(lead))
        .expect(200);
      expect(metrics.body.time_to_first_response).toMatchObject({ count: 1, mean_seconds: 2 * 3600 });
      expect(metrics.body.response_sla).toMatchObject({ measured: 1, met: 1 });
    });
  });
});
