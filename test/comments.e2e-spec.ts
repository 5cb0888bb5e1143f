import { HistoryChangeType, Role, TicketEventType } from '@ticketing/contracts';

import { feedEvents } from './support/events';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

describe('comments', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    admin = t.user(Role.ADMIN);
  });

  afterAll(async () => {
    await t.close();
  });

  afterEach(() => t.setNow(null));

  const comment = (user: TestUser, ticketId: string, body: Record<string, unknown>) =>
    t
      .http()
      .post(`/api/v1/tickets/${ticketId}/comments`)
      .set(...auth(user))
      .send(body);

  async function moveTo(ticketId: string, ...statuses: string[]): Promise<void> {
    for (const status of statuses) {
      await t
        .http()
        .patch(`/api/v1/tickets/${ticketId}/status`)
        .set(...auth(admin))
        .send({ status })
        .expect(200);
    }
  }

  it('posts, lists oldest first, edits and deletes with the comment fields of spec §4', async () => {
    const reporter = t.user(Role.END_USER);
    const ticket = await createTicket(t, reporter);
    const first = await comment(reporter, ticket.id, { content: '  The VPN dropped again at 09:10.  ' }).expect(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      ticket_id: ticket.id,
      author_id: reporter.id,
      content: 'The VPN dropped again at 09:10.',
      comment_type: 'COMMENT',
      is_internal: false,
      attachments: [],
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
      edited: false,
    });
    await comment(admin, ticket.id, { content: 'Workaround applied.', comment_type: 'RESOLUTION' }).expect(201);
    const listed = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/comments`)
      .set(...auth(reporter))
      .expect(200);
    expect(listed.body).toMatchObject({ total: 2, page: 1, page_size: 20, pages: 1 });
    expect(listed.body.items.map((c: { content: string }) => c.content)).toEqual([
      'The VPN dropped again at 09:10.',
      'Workaround applied.',
    ]);

    const edited = await t
      .http()
      .put(`/api/v1/comments/${first.body.id}`)
      .set(...auth(reporter))
      .send({ content: 'The VPN dropped at 09:10 and 09:40.' })
      .expect(200);
    expect(edited.body).toMatchObject({ content: 'The VPN dropped at 09:10 and 09:40.', edited: true });
    await t
      .http()
      .put(`/api/v1/comments/${first.body.id}`)
      .set(...auth(admin))
      .send({ content: 'Not mine to edit.' })
      .expect(403);
    await t
      .http()
      .delete(`/api/v1/comments/${first.body.id}`)
      .set(...auth(t.user(Role.MANAGER)))
      .expect(403);
    await t
      .http()
      .delete(`/api/v1/comments/${first.body.id}`)
      .set(...auth(reporter))
      .expect(204);
    await t
      .http()
      .put(`/api/v1/comments/${first.body.id}`)
      .set(...auth(reporter))
      .send({ content: 'Gone already.' })
      .expect(404);

    const history = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(admin))
      .expect(200);
    const commentRows = history.body.items.filter((row: { change_type: string }) =>
      row.change_type.startsWith('COMMENT_'),
    );
    expect(commentRows.map((row: { change_type: string; user_id: string }) => [row.change_type, row.user_id])).toEqual([
      [HistoryChangeType.COMMENT_ADDED, reporter.id],
      [HistoryChangeType.COMMENT_ADDED, admin.id],
      [HistoryChangeType.COMMENT_UPDATED, reporter.id],
      [HistoryChangeType.COMMENT_DELETED, reporter.id],
    ]);
  });

  it('lets an admin delete any comment', async () => {
    const reporter = t.user(Role.END_USER);
    const ticket = await createTicket(t, reporter);
    const posted = await comment(reporter, ticket.id, { content: 'Please delete me.' }).expect(201);
    await t
      .http()
      .delete(`/api/v1/comments/${posted.body.id}`)
      .set(...auth(admin))
      .expect(204);
  });

  it.each([
    [{ content: '' }, 'content'],
    [{ content: '   ' }, 'content'],
    [{ content: 'x'.repeat(10_001) }, 'content'],
    [{ content: 'System says hi', comment_type: 'SYSTEM' }, 'comment_type'],
    [{ content: 'ok', is_internal: 'yes' }, 'is_internal'],
    [{ content: 'ok', author_id: '3f1c7f9e-2b7a-4c1d-9a55-0f6d1c2b3a4e' }, 'author_id'],
  ])('refuses a bad comment body (case %#) with 400 on the field', async (body, field) => {
    const ticket = await createTicket(t, admin);
    const res = await comment(admin, ticket.id, body).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('refuses comments on a closed ticket and on tickets the caller cannot see', async () => {
    const reporter = t.user(Role.END_USER);
    const ticket = await createTicket(t, reporter);
    await comment(t.user(Role.END_USER), ticket.id, { content: 'Not my ticket.' }).expect(404);
    await moveTo(ticket.id, 'CLOSED');
    const closed = await comment(reporter, ticket.id, { content: 'Still broken.' }).expect(409);
    expect(closed.body.error_code).toBe('TICKET_CLOSED');
  });

  it('keeps internal notes from the requester through every path', async () => {
    const reporter = t.user(Role.END_USER);
    const engineer = t.user(Role.DEVOPS_ENGINEER);
    const ticket = await createTicket(t, reporter, { title: 'Mail relay rejects invoices' });
    const denied = await comment(reporter, ticket.id, { content: 'Let me be internal', is_internal: true }).expect(403);
    expect(denied.body.error_code).toBe('FORBIDDEN');
    const note = await comment(engineer, ticket.id, {
      content: 'Suspect the zanzibarquux filter rule.',
      is_internal: true,
    }).expect(201);
    await comment(engineer, ticket.id, { content: 'Looking into it.' }).expect(201);

    const asReporter = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/comments`)
      .set(...auth(reporter))
      .expect(200);
    expect(asReporter.body.items.map((c: { content: string }) => c.content)).toEqual(['Looking into it.']);
    expect(asReporter.body.total).toBe(1);
    const asStaff = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/comments`)
      .set(...auth(engineer))
      .expect(200);
    expect(asStaff.body.total).toBe(2);

    await t
      .http()
      .put(`/api/v1/comments/${note.body.id}`)
      .set(...auth(reporter))
      .send({ content: 'peek' })
      .expect(404);
    await t
      .http()
      .delete(`/api/v1/comments/${note.body.id}`)
      .set(...auth(reporter))
      .expect(404);

    const reporterHistory = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(reporter))
      .expect(200);
    expect(
      reporterHistory.body.items.filter((row: { change_type: string }) => row.change_type === 'COMMENT_ADDED'),
    ).toHaveLength(1);
    const staffHistory = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(engineer))
      .expect(200);
    expect(
      staffHistory.body.items.filter((row: { change_type: string }) => row.change_type === 'COMMENT_ADDED'),
    ).toHaveLength(2);

    const reporterSearch = await t
      .http()
      .get('/api/v1/tickets')
      .query({ q: 'zanzibarquux' })
      .set(...auth(reporter))
      .expect(200);
    expect(reporterSearch.body.total).toBe(0);
    const staffSearch = await t
      .http()
      .get('/api/v1/tickets')
      .query({ q: 'zanzibarquux' })
      .set(...auth(engineer))
      .expect(200);
    expect(staffSearch.body.items.map((item: { id: string }) => item.id)).toEqual([ticket.id]);
    const publicSearch = await t
      .http()
      .get('/api/v1/tickets')
      .query({ q: '"looking into"' })
      .set(...auth(reporter))
      .expect(200);
    expect(publicSearch.body.items.map((item: { id: string }) => item.id)).toEqual([ticket.id]);

    const added = await feedEvents(
      t,
      engineer,
      (event) => event.ticket_id === ticket.id && event.type === TicketEventType.COMMENT_ADDED,
      2,
    );
    expect(added.map((event: { internal: boolean }) => event.internal)).toEqual([true, false]);
  });

  describe('first response (spec §6)', () => {
    const T0 = new Date('2026-07-01T09:00:00.000Z');
    const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

    it('is the first public comment of staff who did not report the ticket', async () => {
      const reporter = t.user(Role.END_USER);
      const engineer = t.user(Role.DEVOPS_ENGINEER);
      t.setNow(T0);
      const ticket = await createTicket(t, reporter, { priority: 'P1' });
      t.setNow(at(10));
      await comment(reporter, ticket.id, { content: 'Any news?' }).expect(201);
      t.setNow(at(20));
      await comment(engineer, ticket.id, { content: 'Internal: checking the relay.', is_internal: true }).expect(201);
      let read = await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .expect(200);
      expect(read.body.first_response_at).toBeNull();
      t.setNow(at(30));
      await comment(engineer, ticket.id, { content: 'On it.' }).expect(201);
      t.setNow(at(40));
      await comment(admin, ticket.id, { content: 'Second answer.' }).expect(201);
      read = await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .expect(200);
      expect(read.body.first_response_at).toBe(at(30).toISOString());
      expect(read.body.response_breached).toBe(false);
    });

    it('does not count a comment by staff who reported the ticket', async () => {
      const engineer = t.user(Role.DEVOPS_ENGINEER);
      const ticket = await createTicket(t, engineer);
      await comment(engineer, ticket.id, { content: 'Adding details to my own ticket.' }).expect(201);
      const read = await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(engineer))
        .expect(200);
      expect(read.body.first_response_at).toBeNull();
    });
  });

  it('moves a PENDING_INFO ticket back to IN_PROGRESS when the reporter answers', async () => {
    const reporter = t.user(Role.END_USER);
    const ticket = await createTicket(t, reporter);
    await moveTo(ticket.id, 'IN_PROGRESS', 'PENDING_INFO');
    await comment(admin, ticket.id, { content: 'Staff talk does not move it.' }).expect(201);
    let read = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(reporter))
      .expect(200);
    expect(read.body.status).toBe('PENDING_INFO');
    await comment(reporter, ticket.id, { content: 'Here are the logs you asked for.' }).expect(201);
    read = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}`)
      .set(...auth(reporter))
      .expect(200);
    expect(read.body.status).toBe('IN_PROGRESS');
    const history = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/history`)
      .set(...auth(admin))
      .expect(200);
    const last = history.body.items.filter((row: { change_type: string }) => row.change_type === 'STATUS_CHANGE').pop();
    expect(last).toMatchObject({ old_value: 'PENDING_INFO', new_value: 'IN_PROGRESS', user_id: reporter.id });
  });

  it('honours Idempotency-Key on POST', async () => {
    const reporter = t.user(Role.END_USER);
    const ticket = await createTicket(t, reporter);
    const first = await comment(reporter, ticket.id, { content: 'Once only.' })
      .set('Idempotency-Key', 'c-1')
      .expect(201);
    const again = await comment(reporter, ticket.id, { content: 'Once only.' })
      .set('Idempotency-Key', 'c-1')
      .expect(201);
    expect(again.text).toBe(first.text);
    await comment(reporter, ticket.id, { content: 'Something else.' }).set('Idempotency-Key', 'c-1').expect(422);
    const listed = await t
      .http()
      .get(`/api/v1/tickets/${ticket.id}/comments`)
      .set(...auth(reporter))
      .expect(200);
    expect(listed.body.total).toBe(1);
  });
});
