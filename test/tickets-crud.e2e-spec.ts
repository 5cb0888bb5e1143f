import { createHash } from 'node:crypto';
import { Role } from '@ticketing/contracts';
import type supertest from 'supertest';
import { auth, createTeam, createTicket, ticketBody } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

const HOUR_MS = 3_600_000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Every field of a ticket on the wire (spec §4 Ticket). */
const TICKET_FIELDS = [
  'id',
  'ticket_number',
  'title',
  'description',
  'category',
  'priority',
  'status',
  'environment',
  'affected_service',
  'impact_level',
  'tags',
  'reporter_id',
  'assignee_id',
  'team_id',
  'resolution_notes',
  'response_due_at',
  'resolution_due_at',
  'sla_clock',
  'sla_calendar_id',
  'first_response_at',
  'resolved_at',
  'closed_at',
  'response_breached',
  'resolution_breached',
  'reopen_count',
  'merged_into_id',
  'version',
  'alert',
  'created_at',
  'updated_at',
].sort();

interface HistoryRow {
  change_type: string;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  user_id: string | null;
}

describe('tickets: create, read, update, delete', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    admin = t.user(Role.ADMIN);
  });

  afterEach(() => {
    t.setNow(null);
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (user: TestUser, body: unknown) =>
    t
      .http()
      .post('/api/v1/tickets')
      .set(...auth(user))
      .send(body as object);
  const put = (user: TestUser, id: string, body: unknown) =>
    t
      .http()
      .put(`/api/v1/tickets/${id}`)
      .set(...auth(user))
      .send(body as object);
  const patch = (user: TestUser, id: string, body: unknown) =>
    t
      .http()
      .patch(`/api/v1/tickets/${id}`)
      .set(...auth(user))
      .send(body as object);
  const get = (user: TestUser, id: string) =>
    t
      .http()
      .get(`/api/v1/tickets/${id}`)
      .set(...auth(user));

  const ticketNumber = (value: string): number => Number(/^TKT-(\d{6,})$/.exec(value)![1]);

  async function historyRows(ticketId: string): Promise<HistoryRow[]> {
    return t.dataSource.query<HistoryRow[]>(
      `SELECT change_type, field_name, old_value, new_value, user_id FROM ticket_history
       WHERE ticket_id = $1 ORDER BY seq`,
      [ticketId],
    );
  }

  function expectValidationError(res: supertest.Response, field?: string): void {
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 'VALIDATION_ERROR', request_id: res.headers['x-request-id'] });
    expect(typeof res.body.detail).toBe('string');
    expect(Array.isArray(res.body.errors)).toBe(true);
    if (field !== undefined) {
      expect((res.body.errors as { field: string }[]).map((error) => error.field)).toContain(field);
    }
  }

  async function countReported(reporter: TestUser): Promise<number> {
    const res = await t
      .http()
      .get('/api/v1/tickets')
      .query({ reporter_id: reporter.id })
      .set(...auth(admin))
      .expect(200);
    return res.body.total as number;
  }

  describe('create', () => {
    it('stores every field of spec §4 and answers with the whole ticket', async () => {
      const team = await createTeam(t, admin, `Platform ${crypto.randomUUID()}`);
      const reporter = t.user(Role.DEVOPS_ENGINEER);
      const body = {
        title: 'Production database is down',
        description: 'The primary PostgreSQL stopped answering at 14:30 UTC. All services are affected.',
        category: 'INCIDENT',
        priority: 'P1',
        environment: 'PRODUCTION',
        affected_service: 'PostgreSQL Database',
        impact_level: 'CRITICAL',
        tags: ['database', 'outage'],
        team_id: team.id,
      };
      const res = await post(reporter, body).expect(201);
      const ticket = res.body;

      expect(Object.keys(ticket).sort()).toEqual(TICKET_FIELDS);
      expect(ticket).toMatchObject({
        ...body,
        status: 'NEW',
        reporter_id: reporter.id,
        assignee_id: null,
        resolution_notes: null,
        first_response_at: null,
        resolved_at: null,
        closed_at: null,
        response_breached: false,
        resolution_breached: false,
        reopen_count: 0,
        version: 1,
      });
      expect(ticket.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(ticket.ticket_number).toMatch(/^TKT-\d{6}$/);
      for (const field of ['created_at', 'updated_at', 'response_due_at', 'resolution_due_at']) {
        expect(ticket[field]).toMatch(ISO_UTC);
      }
      const created = Date.parse(ticket.created_at);
      expect(Date.parse(ticket.response_due_at)).toBe(created + 1 * HOUR_MS);
      expect(Date.parse(ticket.resolution_due_at)).toBe(created + 4 * HOUR_MS);
      expect(res.headers.etag).toBe('"1"');

      const fetched = await get(reporter, ticket.id).expect(200);
      expect(fetched.body).toEqual(ticket);
      expect(fetched.headers.etag).toBe('"1"');
    });

    it('gives increasing ticket numbers', async () => {
      const reporter = t.user(Role.END_USER);
      const first = await createTicket(t, reporter);
      const second = await createTicket(t, reporter);
      expect(first.ticket_number).toMatch(/^TKT-\d{6}$/);
      expect(second.ticket_number).toMatch(/^TKT-\d{6}$/);
      expect(ticketNumber(second.ticket_number)).toBeGreaterThan(ticketNumber(first.ticket_number));
    });

    it('defaults to P3 with its SLA targets and null optional fields', async () => {
      const t0 = new Date('2031-03-04T10:00:00.000Z');
      t.setNow(t0);
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expect(ticket).toMatchObject({
        priority: 'P3',
        status: 'NEW',
        environment: null,
        affected_service: null,
        impact_level: null,
        tags: [],
        team_id: null,
        created_at: t0.toISOString(),
        updated_at: t0.toISOString(),
        response_due_at: new Date(t0.getTime() + 8 * HOUR_MS).toISOString(),
        resolution_due_at: new Date(t0.getTime() + 72 * HOUR_MS).toISOString(),
      });
    });

    it.each([
      ['P1', 1, 4],
      ['P2', 4, 24],
      ['P3', 8, 72],
      ['P4', 24, 168],
    ])('sets the %s due dates from created_at (%ih / %ih)', async (priority, responseHours, resolutionHours) => {
      const t0 = new Date('2031-05-06T08:15:00.000Z');
      t.setNow(t0);
      const ticket = await createTicket(t, t.user(Role.END_USER), { priority });
      expect(ticket.created_at).toBe(t0.toISOString());
      expect(ticket.response_due_at).toBe(new Date(t0.getTime() + responseHours * HOUR_MS).toISOString());
      expect(ticket.resolution_due_at).toBe(new Date(t0.getTime() + resolutionHours * HOUR_MS).toISOString());
    });

    it('trims the text fields and normalizes tags (trim, lower-case, de-duplicate)', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER), {
        title: '   Disk full on runner 7   ',
        affected_service: '  CI runners ',
        tags: [' Database ', 'database', 'PROD', 'prod ', 'Ci'],
      });
      expect(ticket.title).toBe('Disk full on runner 7');
      expect(ticket.affected_service).toBe('CI runners');
      expect(ticket.tags).toEqual(['database', 'prod', 'ci']);
    });

    it('counts the 20-tag limit after de-duplication', async () => {
      const tags = [...Array.from({ length: 20 }, (_, i) => `tag-${i}`), 'TAG-0'];
      const ticket = await createTicket(t, t.user(Role.END_USER), { tags });
      expect(ticket.tags).toHaveLength(20);
    });

    it('accepts the boundary lengths', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER), {
        title: 'x'.repeat(200),
        description: 'y'.repeat(10),
        affected_service: 's'.repeat(200),
        tags: ['t'.repeat(50)],
      });
      expect(ticket.title).toHaveLength(200);
      expect(ticket.description).toHaveLength(10);
      const short = await createTicket(t, t.user(Role.END_USER), { title: 'abcde' });
      expect(short.title).toBe('abcde');
    });

    it.each([
      ['a 4-character title', { title: 'abcd' }, 'title'],
      ['a 201-character title', { title: 'x'.repeat(201) }, 'title'],
      ['a title empty after trimming', { title: '      ' }, 'title'],
      ['a title that is not a string', { title: 12345 }, 'title'],
      ['no title', { title: undefined }, 'title'],
      ['a 9-character description', { description: 'too short' }, 'description'],
      ['a description above 20000 characters', { description: 'd'.repeat(20_001) }, 'description'],
      ['no description', { description: undefined }, 'description'],
      ['no category', { category: undefined }, 'category'],
      ['an unknown category', { category: 'OUTAGE' }, 'category'],
      ['an unknown priority', { priority: 'P5' }, 'priority'],
      ['a lower-case priority', { priority: 'p1' }, 'priority'],
      ['an unknown environment', { environment: 'PROD' }, 'environment'],
      ['an unknown impact level', { impact_level: 'HUGE' }, 'impact_level'],
      ['a 201-character affected service', { affected_service: 'a'.repeat(201) }, 'affected_service'],
      ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `tag-${i}`) }, 'tags'],
      ['a 51-character tag', { tags: ['t'.repeat(51)] }, 'tags'],
      ['an empty tag', { tags: ['ok', '   '] }, 'tags'],
      ['tags that are not strings', { tags: [1, 2] }, 'tags'],
      ['tags that are not a list', { tags: 'database' }, 'tags'],
      ['a team_id that is not a UUID', { team_id: 'platform' }, 'team_id'],
    ])('rejects %s with 400', async (_name, overrides, field) => {
      const reporter = t.user(Role.END_USER);
      const body = ticketBody(overrides);
      for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
      expectValidationError(await post(reporter, body), field);
      expect(await countReported(reporter)).toBe(0);
    });

    it('rejects a team_id that refers to no team', async () => {
      const reporter = t.user(Role.END_USER);
      expectValidationError(await post(reporter, ticketBody({ team_id: crypto.randomUUID() })), 'team_id');
      expect(await countReported(reporter)).toBe(0);
    });

    it.each([
      ['status', 'OPEN'],
      ['assignee_id', '8a0c3b9e-8d56-4a4e-9b1a-0f3c2f8b1d11'],
      ['reporter_id', '8a0c3b9e-8d56-4a4e-9b1a-0f3c2f8b1d11'],
      ['response_due_at', '2031-01-01T00:00:00Z'],
      ['resolution_due_at', '2031-01-01T00:00:00Z'],
      ['resolved_at', '2031-01-01T00:00:00Z'],
      ['created_at', '2031-01-01T00:00:00Z'],
      ['version', 7],
      ['ticket_number', 'TKT-999999'],
      ['unknown_field', 'x'],
    ])('rejects %s in the create body with 400', async (field, value) => {
      const reporter = t.user(Role.END_USER);
      expectValidationError(await post(reporter, ticketBody({ [field]: value })), field);
      expect(await countReported(reporter)).toBe(0);
    });

    it('never takes the reporter from the body', async () => {
      const reporter = t.user(Role.END_USER);
      const other = t.user(Role.END_USER);
      await post(reporter, ticketBody({ reporter_id: other.id })).expect(400);
      expect(await countReported(other)).toBe(0);
      const ticket = await createTicket(t, reporter);
      expect(ticket.reporter_id).toBe(reporter.id);
    });
  });

  describe('read', () => {
    it('answers 404 for a missing ticket and 400 for a non-UUID id', async () => {
      const missing = await get(admin, crypto.randomUUID()).expect(404);
      expect(missing.body.error_code).toBe('NOT_FOUND');
      expectValidationError(await get(admin, 'not-a-uuid'));
    });

    it("hides another requester's ticket behind 404", async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      const res = await get(t.user(Role.END_USER), ticket.id).expect(404);
      expect(res.body.error_code).toBe('NOT_FOUND');
    });
  });

  describe('PUT (replace)', () => {
    it('replaces every editable field; omitted optional fields become null, tags [] and priority P3', async () => {
      const team = await createTeam(t, admin, `Replace ${crypto.randomUUID()}`);
      const ticket = await createTicket(t, t.user(Role.END_USER), {
        priority: 'P1',
        environment: 'PRODUCTION',
        affected_service: 'Billing API',
        impact_level: 'HIGH',
        tags: ['billing'],
        team_id: team.id,
      });
      const res = await put(admin, ticket.id, {
        title: '  Billing API answers slowly ',
        description: 'p95 latency went from 200 ms to 4 s after the deploy.',
        category: 'PROBLEM',
      }).expect(200);
      expect(res.body).toMatchObject({
        id: ticket.id,
        ticket_number: ticket.ticket_number,
        title: 'Billing API answers slowly',
        description: 'p95 latency went from 200 ms to 4 s after the deploy.',
        category: 'PROBLEM',
        priority: 'P3',
        environment: null,
        affected_service: null,
        impact_level: null,
        tags: [],
        team_id: null,
        status: 'NEW',
        reporter_id: ticket.reporter_id,
        version: 2,
        created_at: ticket.created_at,
      });
      expect(res.headers.etag).toBe('"2"');
      const created = Date.parse(ticket.created_at);
      expect(res.body.response_due_at).toBe(new Date(created + 8 * HOUR_MS).toISOString());
      expect(res.body.resolution_due_at).toBe(new Date(created + 72 * HOUR_MS).toISOString());
      expect((await get(admin, ticket.id).expect(200)).body).toEqual(res.body);
    });

    it('sets every editable field that is sent', async () => {
      const team = await createTeam(t, admin, `Replace all ${crypto.randomUUID()}`);
      const ticket = await createTicket(t, t.user(Role.END_USER));
      const body = {
        title: 'Staging cluster nodes NotReady',
        description: 'Three of five staging nodes report NotReady since the kernel update.',
        category: 'CHANGE_REQUEST',
        priority: 'P2',
        environment: 'STAGING',
        affected_service: 'Kubernetes',
        impact_level: 'MEDIUM',
        tags: ['k8s', 'staging'],
        team_id: team.id,
      };
      const res = await put(admin, ticket.id, body).expect(200);
      expect(res.body).toMatchObject(body);
    });

    it.each([
      ['title', { title: undefined }],
      ['description', { description: undefined }],
      ['category', { category: undefined }],
    ])('requires %s', async (field, overrides) => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      const body = ticketBody(overrides);
      delete body[field];
      expectValidationError(await put(admin, ticket.id, body), field);
      expect((await get(admin, ticket.id).expect(200)).body.version).toBe(1);
    });

    it.each([
      ['status', 'OPEN'],
      ['assignee_id', '8a0c3b9e-8d56-4a4e-9b1a-0f3c2f8b1d11'],
      ['reporter_id', '8a0c3b9e-8d56-4a4e-9b1a-0f3c2f8b1d11'],
      ['response_due_at', '2031-01-01T00:00:00Z'],
      ['first_response_at', '2031-01-01T00:00:00Z'],
      ['closed_at', '2031-01-01T00:00:00Z'],
      ['updated_at', '2031-01-01T00:00:00Z'],
    ])('rejects %s in the body with 400', async (field, value) => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expectValidationError(await put(admin, ticket.id, ticketBody({ [field]: value })), field);
      expect((await get(admin, ticket.id).expect(200)).body).toEqual(ticket);
    });

    it('rejects a team_id that refers to no team', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expectValidationError(await put(admin, ticket.id, ticketBody({ team_id: crypto.randomUUID() })), 'team_id');
      expect((await get(admin, ticket.id).expect(200)).body).toEqual(ticket);
    });

    it('answers 404 for a missing ticket', async () => {
      const res = await put(admin, crypto.randomUUID(), ticketBody()).expect(404);
      expect(res.body.error_code).toBe('NOT_FOUND');
    });
  });

  describe('PATCH', () => {
    it('changes only the given fields', async () => {
      const team = await createTeam(t, admin, `Patch ${crypto.randomUUID()}`);
      const ticket = await createTicket(t, t.user(Role.END_USER), {
        priority: 'P2',
        environment: 'PRODUCTION',
        affected_service: 'Billing API',
        impact_level: 'HIGH',
        tags: ['billing'],
        team_id: team.id,
      });
      const res = await patch(admin, ticket.id, { environment: 'STAGING', tags: ['Billing', 'Slow'] }).expect(200);
      expect(res.body).toEqual({
        ...ticket,
        environment: 'STAGING',
        tags: ['billing', 'slow'],
        version: 2,
        updated_at: res.body.updated_at,
      });
      expect(res.headers.etag).toBe('"2"');
    });

    it('clears a nullable field sent as null', async () => {
      const team = await createTeam(t, admin, `Patch null ${crypto.randomUUID()}`);
      const ticket = await createTicket(t, t.user(Role.END_USER), {
        affected_service: 'Billing API',
        impact_level: 'LOW',
        environment: 'TESTING',
        team_id: team.id,
      });
      const res = await patch(admin, ticket.id, {
        affected_service: null,
        impact_level: null,
        environment: null,
        team_id: null,
      }).expect(200);
      expect(res.body).toMatchObject({ affected_service: null, impact_level: null, environment: null, team_id: null });
      expect(res.body.title).toBe(ticket.title);
    });

    it('moves the ticket to an existing team and refuses a team that does not exist', async () => {
      const team = await createTeam(t, admin, `Patch team ${crypto.randomUUID()}`);
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expect((await patch(admin, ticket.id, { team_id: team.id }).expect(200)).body.team_id).toBe(team.id);
      expectValidationError(await patch(admin, ticket.id, { team_id: crypto.randomUUID() }), 'team_id');
      expect((await get(admin, ticket.id).expect(200)).body).toMatchObject({ team_id: team.id, version: 2 });
    });

    it.each([
      ['title', null],
      ['description', null],
      ['category', null],
      ['priority', null],
      ['tags', null],
      ['title', 'abcd'],
      ['title', '     '],
      ['description', 'too short'],
      ['priority', 'P0'],
      ['tags', ['t'.repeat(51)]],
    ])('rejects %s = %j with 400', async (field, value) => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expectValidationError(await patch(admin, ticket.id, { [field]: value }), field);
      expect((await get(admin, ticket.id).expect(200)).body).toEqual(ticket);
    });

    it('rejects an empty body with 400', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expectValidationError(await patch(admin, ticket.id, {}));
      expect((await get(admin, ticket.id).expect(200)).body).toEqual(ticket);
    });

    it.each([
      ['status', 'OPEN'],
      ['assignee_id', '8a0c3b9e-8d56-4a4e-9b1a-0f3c2f8b1d11'],
      ['reporter_id', '8a0c3b9e-8d56-4a4e-9b1a-0f3c2f8b1d11'],
      ['response_due_at', '2031-01-01T00:00:00Z'],
      ['resolution_due_at', '2031-01-01T00:00:00Z'],
      ['resolved_at', '2031-01-01T00:00:00Z'],
      ['resolution_notes', 'Fixed it by restarting the service.'],
      ['reopen_count', 0],
    ])('rejects %s in the body with 400, also beside a valid field', async (field, value) => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      expectValidationError(await patch(admin, ticket.id, { [field]: value }), field);
      expectValidationError(await patch(admin, ticket.id, { title: 'A perfectly valid title', [field]: value }), field);
      expect((await get(admin, ticket.id).expect(200)).body).toEqual(ticket);
    });

    it('writes one UPDATE history row per changed field with old and new values', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER), { tags: ['a'] });
      await patch(admin, ticket.id, {
        title: 'Renamed ticket title',
        affected_service: 'Gateway',
        tags: ['a'],
      }).expect(200);
      const updates = (await historyRows(ticket.id)).filter((row) => row.change_type === 'UPDATE');
      expect(updates).toEqual(
        expect.arrayContaining([
          {
            change_type: 'UPDATE',
            field_name: 'title',
            old_value: ticket.title,
            new_value: 'Renamed ticket title',
            user_id: admin.id,
          },
          {
            change_type: 'UPDATE',
            field_name: 'affected_service',
            old_value: null,
            new_value: 'Gateway',
            user_id: admin.id,
          },
        ]),
      );
      expect(updates).toHaveLength(2);
    });
  });

  describe('soft delete', () => {
    it('hides the ticket everywhere but keeps its history, ending with a DELETED row', async () => {
      const reporter = t.user(Role.END_USER);
      const ticket = await createTicket(t, reporter);
      const kept = await createTicket(t, reporter);
      await patch(admin, ticket.id, { priority: 'P2' }).expect(200);

      const res = await t
        .http()
        .delete(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .expect(204);
      expect(res.text).toBe('');

      expect((await get(admin, ticket.id).expect(404)).body.error_code).toBe('NOT_FOUND');
      await get(reporter, ticket.id).expect(404);
      const list = await t
        .http()
        .get('/api/v1/tickets')
        .query({ reporter_id: reporter.id })
        .set(...auth(admin))
        .expect(200);
      expect(list.body.total).toBe(1);
      expect((list.body.items as { id: string }[]).map((item) => item.id)).toEqual([kept.id]);
      const history = await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}/history`)
        .set(...auth(admin))
        .expect(404);
      expect(history.body.error_code).toBe('NOT_FOUND');
      await patch(admin, ticket.id, { priority: 'P1' }).expect(404);
      await t
        .http()
        .delete(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .expect(404);

      const rows = await historyRows(ticket.id);
      expect(rows.map((row) => row.change_type)).toEqual(['CREATED', 'PRIORITY_CHANGE', 'DELETED']);
      expect(rows[2].user_id).toBe(admin.id);
    });

    it.each([Role.END_USER, Role.DEVOPS_ENGINEER, Role.TEAM_LEAD, Role.MANAGER])(
      'refuses the delete to %s with 403',
      async (role) => {
        const user = t.user(role);
        const ticket = await createTicket(t, user);
        const res = await t
          .http()
          .delete(`/api/v1/tickets/${ticket.id}`)
          .set(...auth(user))
          .expect(403);
        expect(res.body.error_code).toBe('FORBIDDEN');
        await get(admin, ticket.id).expect(200);
      },
    );

    it('answers 404 for a missing ticket', async () => {
      await t
        .http()
        .delete(`/api/v1/tickets/${crypto.randomUUID()}`)
        .set(...auth(admin))
        .expect(404);
    });
  });

  describe('If-Match', () => {
    it('refuses a stale version with 412 and changes nothing', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      await patch(admin, ticket.id, { title: 'First edit of the title' }).expect(200);
      const before = (await get(admin, ticket.id).expect(200)).body;
      const historyBefore = await historyRows(ticket.id);

      const stale = await patch(admin, ticket.id, { title: 'Second edit of the title' }).set('If-Match', '"1"');
      expect(stale.status).toBe(412);
      expect(stale.body).toEqual({
        detail: expect.any(String),
        error_code: 'PRECONDITION_FAILED',
        request_id: stale.headers['x-request-id'],
      });
      const staleReplace = await put(admin, ticket.id, ticketBody()).set('If-Match', '"1"');
      expect(staleReplace.status).toBe(412);

      expect((await get(admin, ticket.id).expect(200)).body).toEqual(before);
      expect(before).toMatchObject({ title: 'First edit of the title', version: 2 });
      expect(await historyRows(ticket.id)).toEqual(historyBefore);
    });

    it('applies a change whose If-Match matches and returns the new version as ETag', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      const first = await patch(admin, ticket.id, { priority: 'P2' }).set('If-Match', '"1"').expect(200);
      expect(first.headers.etag).toBe('"2"');
      expect(first.body.version).toBe(2);
      const second = await put(admin, ticket.id, ticketBody({ title: 'Replaced under If-Match' }))
        .set('If-Match', first.headers.etag)
        .expect(200);
      expect(second.headers.etag).toBe('"3"');
      expect(second.body).toMatchObject({ title: 'Replaced under If-Match', version: 3 });
      const fetched = await get(admin, ticket.id).expect(200);
      expect(fetched.headers.etag).toBe('"3"');
    });
  });

  describe('concurrent edits', () => {
    it('serializes 20 parallel PATCHes without losing one', async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      const fields = ['affected_service', 'title', 'description', 'tags'] as const;
      const bodies = Array.from({ length: 20 }, (_, i) => {
        const field = fields[i % fields.length];
        switch (field) {
          case 'affected_service':
            return { affected_service: `service number ${i}` };
          case 'title':
            return { title: `Concurrent title number ${i}` };
          case 'description':
            return { description: `Concurrent description number ${i}` };
          case 'tags':
            return { tags: [`tag-${i}`] };
        }
      });
      const responses = await Promise.all(bodies.map((body) => patch(admin, ticket.id, body)));
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
      expect(new Set(responses.map((res) => (res.body as { version: number }).version)).size).toBe(20);

      const final = (await get(admin, ticket.id).expect(200)).body;
      expect(final.version).toBe(21);
      const rows = await historyRows(ticket.id);
      expect(rows.filter((row) => row.change_type === 'CREATED')).toHaveLength(1);
      const updates = rows.filter((row) => row.change_type !== 'CREATED');
      expect(updates).toHaveLength(20);
      for (const field of fields) {
        expect(updates.filter((row) => row.change_type === 'UPDATE' && row.field_name === field)).toHaveLength(5);
      }
      // Each row's old value is the value the previous writer left: no update was based on a stale read.
      for (const field of fields) {
        const chain = updates.filter((row) => row.field_name === field);
        for (let i = 1; i < chain.length; i += 1) expect(chain[i].old_value).toBe(chain[i - 1].new_value);
        const last = chain[chain.length - 1].new_value;
        expect(field === 'tags' ? JSON.stringify(final.tags) : final[field]).toBe(last);
      }
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body and creates one ticket', async () => {
      const reporter = t.user(Role.END_USER);
      const body = ticketBody();
      const key = `create-${crypto.randomUUID()}`;
      const first = await post(reporter, body).set('Idempotency-Key', key).expect(201);
      const second = await post(reporter, body).set('Idempotency-Key', key);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(await countReported(reporter)).toBe(1);
    });

    it('refuses the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const reporter = t.user(Role.END_USER);
      const key = `create-${crypto.randomUUID()}`;
      await post(reporter, ticketBody()).set('Idempotency-Key', key).expect(201);
      const res = await post(reporter, ticketBody({ title: 'A different title' })).set('Idempotency-Key', key);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: expect.any(String),
        error_code: 'IDEMPOTENCY_KEY_REUSED',
        request_id: res.headers['x-request-id'],
      });
      expect(await countReported(reporter)).toBe(1);
    });

    it('refuses a key longer than 255 characters with 400 and accepts 255', async () => {
      const reporter = t.user(Role.END_USER);
      expectValidationError(await post(reporter, ticketBody()).set('Idempotency-Key', 'k'.repeat(256)));
      expect(await countReported(reporter)).toBe(0);
      await post(reporter, ticketBody()).set('Idempotency-Key', 'k'.repeat(255)).expect(201);
      expect(await countReported(reporter)).toBe(1);
    });

    it('scopes keys to the caller: another user with the same key gets a ticket of their own', async () => {
      const alice = t.user(Role.END_USER);
      const bob = t.user(Role.END_USER);
      const key = `shared-${crypto.randomUUID()}`;
      const body = ticketBody();
      const first = await post(alice, body).set('Idempotency-Key', key).expect(201);
      const second = await post(bob, body).set('Idempotency-Key', key).expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.reporter_id).toBe(bob.id);
      expect(await countReported(alice)).toBe(1);
      expect(await countReported(bob)).toBe(1);
    });

    it('answers 409 IDEMPOTENCY_KEY_IN_USE while the first request with the key is still running', async () => {
      const reporter = t.user(Role.END_USER);
      const key = `running-${crypto.randomUUID()}`;
      const body = ticketBody();
      // The store keys a claim by caller, route and key, and compares the SHA-256 of the JSON body.
      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      await t.dataSource.query(
        `INSERT INTO idempotency_keys (user_id, route, key, request_hash, state, expires_at)
         VALUES ($1, $2, $3, $4, 'IN_PROGRESS', now() + interval '1 day')`,
        [reporter.id, 'POST /api/v1/tickets', key, requestHash],
      );
      const res = await post(reporter, body).set('Idempotency-Key', key);
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        detail: expect.any(String),
        error_code: 'IDEMPOTENCY_KEY_IN_USE',
        request_id: res.headers['x-request-id'],
      });
      expect(await countReported(reporter)).toBe(0);
    });

    it('commits the ticket together with the key: when the key cannot be completed, no ticket is left', async () => {
      const reporter = t.user(Role.END_USER);
      const key = `atomic-${crypto.randomUUID()}`;
      const body = ticketBody();
      // A failure at the last write of the request (completing the key), after the ticket's own writes.
      await t.dataSource.query(`
        CREATE FUNCTION refuse_key_completion() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'completion refused for this test'; END $$`);
      await t.dataSource.query(`
        CREATE TRIGGER refuse_key_completion BEFORE UPDATE ON idempotency_keys FOR EACH ROW
        WHEN (NEW.key = '${key}') EXECUTE FUNCTION refuse_key_completion()`);
      try {
        const failed = await post(reporter, body).set('Idempotency-Key', key);
        expect(failed.status).toBe(500);
        expect(failed.body).toEqual({
          detail: expect.any(String),
          error_code: 'INTERNAL_ERROR',
          request_id: failed.headers['x-request-id'],
        });
        expect(await countReported(reporter)).toBe(0);
      } finally {
        await t.dataSource.query('DROP TRIGGER refuse_key_completion ON idempotency_keys');
        await t.dataSource.query('DROP FUNCTION refuse_key_completion()');
      }
      // The failed request released its key: the retry creates the one ticket.
      await post(reporter, body).set('Idempotency-Key', key).expect(201);
      expect(await countReported(reporter)).toBe(1);
    });
  });
});
