import { Role } from '@ticketing/contracts';
import { auth, createTeam, createTicket, ticketBody } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** Inputs that once reached the database or the date parser unchecked: each must be a clean 4xx or a no-op. */
describe('input hardening', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('refuses NUL characters in body text and search parameters with 400', async () => {
    const user = t.user(Role.ADMIN);
    const created = await t
      .http()
      .post('/api/v1/tickets')
      .set(...auth(user))
      .send(ticketBody({ title: 'Broken\u0000title' }))
      .expect(400);
    expect(created.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'title' })]));
    await t
      .http()
      .get('/api/v1/tickets')
      .query({ q: 'disk\u0000full' })
      .set(...auth(user))
      .expect(400);
    await t
      .http()
      .get('/api/v1/tickets')
      .query({ tags: 'a\u0000b' })
      .set(...auth(user))
      .expect(400);
  });

  it.each(['2024-W01-1', '2026-02-30T00:00:00Z', '2026-05-04'])('refuses the timestamp %p with 400', async (value) => {
    const user = t.user(Role.ADMIN);
    const res = await t
      .http()
      .get('/api/v1/tickets')
      .query({ created_after: value })
      .set(...auth(user))
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'created_after' })]);
  });

  it('refuses a page beyond the bound with 400', async () => {
    const user = t.user(Role.ADMIN);
    const res = await t
      .http()
      .get('/api/v1/tickets?page=100000000000000000000')
      .set(...auth(user))
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'page' })]);
  });

  it('accepts upper-case UUIDs in paths and bodies as the same ids', async () => {
    const admin = t.user(Role.ADMIN);
    const lead = t.user(Role.TEAM_LEAD);
    const member = t.user(Role.DEVOPS_ENGINEER);
    const team = await createTeam(t, admin, `Upper ${Date.now()}`, [
      { user: lead, role: 'LEAD' },
      { user: member, role: 'MEMBER' },
    ]);
    const ticket = await createTicket(t, admin, { team_id: team.id.toUpperCase() });
    expect(ticket.team_id).toBe(team.id);
    const assigned = await t
      .http()
      .put(`/api/v1/tickets/${ticket.id.toUpperCase()}/assign`)
      .set(...auth(lead))
      .send({ assignee_id: member.id.toUpperCase() })
      .expect(200);
    expect(assigned.body.assignee_id).toBe(member.id);
  });

  it('treats a change that changes nothing as no new version and no history', async () => {
    const admin = t.user(Role.ADMIN);
    const ticket = await createTicket(t, admin, { priority: 'P2' });
    const same = await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .send({ priority: 'P2' })
      .expect(200);
    expect(same.body.version).toBe(ticket.version);
    expect(same.headers.etag).toBe(`"${ticket.version}"`);
    const history = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(admin))
      .expect(200);
    expect(history.body.items.map((row: { change_type: string }) => row.change_type)).toEqual(['CREATED']);
  });

  it('deletes a team whose only tickets are deleted, recording that they left it', async () => {
    const admin = t.user(Role.ADMIN);
    const team = await createTeam(t, admin, `Disbanded ${Date.now()}`);
    const ticket = await createTicket(t, admin, { team_id: team.id });
    await t
      .http()
      .delete(`/api/v1/teams/${team.id}`)
      .set(...auth(admin))
      .expect(409);
    await t
      .http()
      .delete(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(admin))
      .expect(204);
    await t
      .http()
      .delete(`/api/v1/teams/${team.id}`)
      .set(...auth(admin))
      .expect(204);
    const rows: { change_type: string; field_name: string | null; new_value: string | null }[] =
      await t.dataSource.query(
        'SELECT change_type, field_name, new_value FROM ticket_history WHERE ticket_id = $1 ORDER BY seq',
        [ticket.id],
      );
    expect(rows.map((row) => row.change_type)).toEqual(['CREATED', 'DELETED', 'ASSIGNMENT_CHANGE']);
    expect(rows[2]).toMatchObject({ field_name: 'team_id', new_value: null });
  });

  it('replays an idempotent create byte for byte', async () => {
    const user = t.user(Role.END_USER);
    const body = ticketBody();
    const first = await t
      .http()
      .post('/api/v1/tickets')
      .set(...auth(user))
      .set('Idempotency-Key', 'bytes-1')
      .send(body)
      .expect(201);
    const again = await t
      .http()
      .post('/api/v1/tickets')
      .set(...auth(user))
      .set('Idempotency-Key', 'bytes-1')
      .send(body)
      .expect(201);
    expect(again.text).toBe(first.text);
  });
});
