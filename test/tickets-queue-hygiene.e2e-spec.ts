import { ErrorCode, Role, TicketEventType, TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { PNG } from './support/attachment-files';
import { feedEvents } from './support/events';
import { auth, createTeam, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/** Issue 15: ticket links, followers, merging duplicates and bulk updates. */
describe('queue hygiene: links, followers, merge, bulk', () => {
  let t: TestApp;
  let admin: TestUser;
  let manager: TestUser;
  let engineer: TestUser;
  let requester: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ NOTIFICATIONS_ENABLED: 'false' });
    admin = t.user(Role.ADMIN);
    manager = t.user(Role.MANAGER);
    engineer = t.user(Role.DEVOPS_ENGINEER);
    requester = t.user(Role.END_USER);
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
    patch: (url: string, body: object) =>
      t
        .http()
        .patch(url)
        .set(...auth(user))
        .send(body),
    put: (url: string, body: object) =>
      t
        .http()
        .put(url)
        .set(...auth(user))
        .send(body),
    delete: (url: string) =>
      t
        .http()
        .delete(url)
        .set(...auth(user)),
  });
  const url = (ticket: Record<string, any>, suffix = '') => `/api/v1/tickets/${ticket.id}${suffix}`;
  const expectStatus = (res: supertest.Response, status: number, code?: ErrorCode) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    if (code) expect(res.body.error_code).toBe(code);
    return res.body as Record<string, any>;
  };
  const history = async (ticket: Record<string, any>, user: TestUser = admin) =>
    expectStatus(await as(user).get(url(ticket, '/history?page_size=100')), 200).items as Record<string, any>[];
  const changeTypes = async (ticket: Record<string, any>, user: TestUser = admin) =>
    (await history(ticket, user)).map((row) => row.change_type as string);
  const ticketRow = async (id: string) =>
    (await t.dataSource.query('SELECT status, version, merged_into_id FROM tickets WHERE id = $1', [id]))[0];

  describe('links', () => {
    it('links both ways: the type from the source, its inverse from the target, with the other ticket', async () => {
      const a = await createTicket(t, requester);
      const b = await createTicket(t, requester);
      const c = await createTicket(t, requester);
      const blocks = expectStatus(await as(admin).post(url(a, '/links'), { type: 'BLOCKS', target_id: b.id }), 201);
      expect(blocks).toMatchObject({
        type: 'BLOCKS',
        ticket: { id: b.id, ticket_number: b.ticket_number, title: b.title, status: 'NEW' },
        created_by: admin.id,
      });
      expectStatus(await as(admin).post(url(a, '/links'), { type: 'DUPLICATE_OF', target_id: c.id }), 201);
      expectStatus(await as(admin).post(url(c, '/links'), { type: 'CAUSED_BY', target_id: b.id }), 201);
      expectStatus(await as(admin).post(url(b, '/links'), { type: 'RELATES_TO', target_id: c.id }), 201);

      const fromB = expectStatus(await as(admin).get(url(b, '/links')), 200);
      expect(fromB.total).toBe(3);
      expect(fromB.items.map((link: any) => [link.type, link.ticket.id])).toEqual([
        ['BLOCKED_BY', a.id],
        ['CAUSES', c.id],
        ['RELATES_TO', c.id],
      ]);
      const fromC = expectStatus(await as(admin).get(url(c, '/links')), 200);
      expect(fromC.items.map((link: any) => [link.type, link.ticket.ticket_number])).toEqual([
        ['DUPLICATED_BY', a.ticket_number],
        ['CAUSED_BY', b.ticket_number],
        ['RELATES_TO', b.ticket_number],
      ]);

      // A history row and an event on both tickets.
      const rowOnA = (await history(a)).find((row) => row.change_type === 'LINK_ADDED');
      expect(rowOnA).toMatchObject({ new_value: `BLOCKS ${b.ticket_number}`, user_id: admin.id });
      const rowOnB = (await history(b)).find((row) => row.change_type === 'LINK_ADDED');
      expect(rowOnB).toMatchObject({ new_value: `BLOCKED_BY ${a.ticket_number}` });
      const events = await feedEvents(
        t,
        admin,
        (event) => event.type === TicketEventType.TICKET_LINKED && [a.id, b.id].includes(event.ticket_id),
        3,
      );
      expect(
        events
          .filter((event) => event.data.link_id === blocks.id)
          .map((event) => event.ticket_id)
          .sort(),
      ).toEqual([a.id, b.id].sort());
    });

    it('refuses self-links (400), duplicates in either direction (409) and a link to a missing ticket (404)', async () => {
      const a = await createTicket(t, requester);
      const b = await createTicket(t, requester);
      expectStatus(
        await as(admin).post(url(a, '/links'), { type: 'RELATES_TO', target_id: a.id }),
        400,
        ErrorCode.VALIDATION_ERROR,
      );
      expectStatus(await as(admin).post(url(a, '/links'), { type: 'RELATES_TO', target_id: b.id }), 201);
      expectStatus(
        await as(admin).post(url(b, '/links'), { type: 'RELATES_TO', target_id: a.id }),
        409,
        ErrorCode.CONFLICT,
      );
      expectStatus(
        await as(admin).post(url(a, '/links'), { type: 'RELATES_TO', target_id: b.id }),
        409,
        ErrorCode.CONFLICT,
      );
      // Another type between the same two is another link.
      expectStatus(await as(admin).post(url(b, '/links'), { type: 'CAUSED_BY', target_id: a.id }), 201);
      const deleted = await createTicket(t, requester);
      expectStatus(await as(admin).delete(url(deleted)), 204);
      expectStatus(
        await as(admin).post(url(a, '/links'), { type: 'BLOCKS', target_id: deleted.id }),
        404,
        ErrorCode.NOT_FOUND,
      );
      expectStatus(await as(admin).post(url(a, '/links'), { type: 'BLOCKED_BY', target_id: b.id }), 400);
      expect(expectStatus(await as(admin).get(url(a, '/links')), 200).total).toBe(2);
    });

    it('refuses a BLOCKS link that closes a cycle, naming it (409), and allows one that does not', async () => {
      const [a, b, c, d] = [
        await createTicket(t, requester),
        await createTicket(t, requester),
        await createTicket(t, requester),
        await createTicket(t, requester),
      ];
      expectStatus(await as(admin).post(url(a, '/links'), { type: 'BLOCKS', target_id: b.id }), 201);
      expectStatus(await as(admin).post(url(b, '/links'), { type: 'BLOCKS', target_id: c.id }), 201);
      const cycle = expectStatus(
        await as(admin).post(url(c, '/links'), { type: 'BLOCKS', target_id: a.id }),
        409,
        ErrorCode.CONFLICT,
      );
      expect(cycle.detail).toContain(
        `${c.ticket_number} → ${a.ticket_number} → ${b.ticket_number} → ${c.ticket_number}`,
      );
      // The reverse of one link is a cycle of two.
      expectStatus(await as(admin).post(url(b, '/links'), { type: 'BLOCKS', target_id: a.id }), 409);
      // Other types do not count, and a diamond is no cycle.
      expectStatus(await as(admin).post(url(c, '/links'), { type: 'RELATES_TO', target_id: a.id }), 201);
      expectStatus(await as(admin).post(url(a, '/links'), { type: 'BLOCKS', target_id: d.id }), 201);
      expectStatus(await as(admin).post(url(d, '/links'), { type: 'BLOCKS', target_id: c.id }), 201);
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM ticket_links WHERE type = 'BLOCKS' AND source_ticket_id = $1`,
        [c.id],
      );
      expect(n).toBe(0);
    });

    it('needs the rights of PATCH on the ticket: engineers on theirs, requesters never', async () => {
      const mine = await createTicket(t, requester);
      expectStatus(await as(admin).put(url(mine, '/assign'), { assignee_id: engineer.id }), 200);
      const other = await createTicket(t, requester);
      expectStatus(await as(engineer).post(url(other, '/links'), { type: 'RELATES_TO', target_id: mine.id }), 403);
      const link = expectStatus(
        await as(engineer).post(url(mine, '/links'), { type: 'RELATES_TO', target_id: other.id }),
        201,
      );
      expectStatus(await as(requester).post(url(mine, '/links'), { type: 'BLOCKS', target_id: other.id }), 403);
      // Removing needs the same rights on the ticket of the path.
      expectStatus(await as(engineer).delete(url(other, `/links/${link.id}`)), 403);
      expectStatus(await as(requester).delete(url(mine, `/links/${link.id}`)), 403);
      // A closed ticket is not edited.
      expectStatus(await as(admin).post(url(other, '/close'), {}), 200);
      expectStatus(
        await as(admin).post(url(other, '/links'), { type: 'BLOCKS', target_id: mine.id }),
        409,
        ErrorCode.TICKET_CLOSED,
      );
    });

    it('shows requesters only the links between tickets they see, and no link history', async () => {
      const own = await createTicket(t, requester);
      const alsoOwn = await createTicket(t, requester);
      const foreign = await createTicket(t, t.user(Role.END_USER));
      expectStatus(await as(admin).post(url(own, '/links'), { type: 'RELATES_TO', target_id: alsoOwn.id }), 201);
      expectStatus(await as(admin).post(url(own, '/links'), { type: 'BLOCKS', target_id: foreign.id }), 201);
      const seen = expectStatus(await as(requester).get(url(own, '/links')), 200);
      expect(seen.items.map((link: any) => link.ticket.id)).toEqual([alsoOwn.id]);
      expect(seen.total).toBe(1);
      expect(expectStatus(await as(admin).get(url(own, '/links')), 200).total).toBe(2);
      expectStatus(await as(requester).get(url(foreign, '/links')), 404);
      expect(await changeTypes(own, requester)).not.toContain('LINK_ADDED');
    });

    it('removes a link from either ticket, with a history row on both', async () => {
      const a = await createTicket(t, requester);
      const b = await createTicket(t, requester);
      const c = await createTicket(t, requester);
      const link = expectStatus(await as(admin).post(url(a, '/links'), { type: 'BLOCKS', target_id: b.id }), 201);
      expectStatus(await as(admin).delete(url(c, `/links/${link.id}`)), 404, ErrorCode.NOT_FOUND);
      expectStatus(await as(admin).delete(url(b, `/links/${link.id}`)), 204);
      expect(expectStatus(await as(admin).get(url(a, '/links')), 200).items).toEqual([]);
      expect(await changeTypes(a)).toContain('LINK_REMOVED');
      expect((await history(b)).find((row) => row.change_type === 'LINK_REMOVED')).toMatchObject({
        old_value: `BLOCKED_BY ${a.ticket_number}`,
        new_value: null,
      });
      expectStatus(await as(admin).delete(url(a, `/links/${link.id}`)), 404);
    });
  });

  describe('followers', () => {
    it('lets staff follow a visible ticket, once; the reporter is no follower', async () => {
      const ticket = await createTicket(t, requester);
      const added = expectStatus(await as(engineer).post(url(ticket, '/followers')), 201);
      expect(added).toMatchObject({ user_id: engineer.id, added_by: engineer.id });
      expectStatus(await as(engineer).post(url(ticket, '/followers')), 409, ErrorCode.CONFLICT);
      expectStatus(await as(admin).post(url(ticket, '/followers'), { user_id: requester.id }), 409, ErrorCode.CONFLICT);
      const list = expectStatus(await as(requester).get(url(ticket, '/followers')), 200);
      expect(list.items.map((follower: any) => follower.user_id)).toEqual([engineer.id]);
      expect(await changeTypes(ticket)).toContain('FOLLOWER_ADDED');
      // Following does not change the ticket: no new version for whoever edits it.
      expect((await ticketRow(ticket.id)).version).toBe(ticket.version);
    });

    it('shows a following requester the ticket as their own: read, list, public comments, reopen', async () => {
      const follower = t.user(Role.END_USER);
      const ticket = await createTicket(t, requester);
      expectStatus(await as(follower).get(url(ticket)), 404);
      expectStatus(await as(follower).post(url(ticket, '/followers')), 404);
      expectStatus(await as(admin).post(url(ticket, '/followers'), { user_id: follower.id }), 201);

      expectStatus(await as(follower).get(url(ticket)), 200);
      const listed = expectStatus(await as(follower).get('/api/v1/tickets'), 200);
      expect(listed.items.map((item: any) => item.id)).toEqual([ticket.id]);
      expectStatus(
        await as(engineer).post(url(ticket, '/comments'), { content: 'Staff only', is_internal: true }),
        201,
      );
      expectStatus(await as(engineer).post(url(ticket, '/comments'), { content: 'Looking into it' }), 201);
      const comments = expectStatus(await as(follower).get(url(ticket, '/comments')), 200);
      expect(comments.items.map((comment: any) => comment.content)).toEqual(['Looking into it']);
      expectStatus(await as(follower).post(url(ticket, '/comments'), { content: 'Same here' }), 201);
      expectStatus(await as(follower).post(url(ticket, '/comments'), { content: 'x', is_internal: true }), 403);
      // Like the reporter they do not edit, and withdrawing stays the reporter's.
      expectStatus(await as(follower).patch(url(ticket), { priority: 'P1' }), 403);
      expectStatus(await as(follower).patch(url(ticket, '/status'), { status: 'CLOSED' }), 403);
      expectStatus(await as(follower).post(url(ticket, '/followers'), { user_id: t.user(Role.END_USER).id }), 403);
      expectStatus(await as(admin).patch(url(ticket, '/status'), { status: 'OPEN' }), 200);
      expectStatus(
        await as(admin).post(url(ticket, '/resolve'), { resolution_notes: 'Freed the disk on the agent.' }),
        200,
      );
      const reopened = expectStatus(
        await as(follower).post(url(ticket, '/reopen'), { reason: 'The disk is full again this morning.' }),
        200,
      );
      expect(reopened.status).toBe(TicketStatus.REOPENED);

      // Leaving: the ticket is gone for them again.
      expectStatus(await as(follower).delete(url(ticket, `/followers/${follower.id}`)), 204);
      expectStatus(await as(follower).get(url(ticket)), 404);
      expect(await changeTypes(ticket)).toContain('FOLLOWER_REMOVED');
    });

    it('lets requesters remove only themselves and answers 404 for someone who does not follow', async () => {
      const ticket = await createTicket(t, requester);
      const follower = t.user(Role.END_USER);
      expectStatus(await as(admin).post(url(ticket, '/followers'), { user_id: follower.id }), 201);
      expectStatus(await as(admin).post(url(ticket, '/followers'), { user_id: engineer.id }), 201);
      expectStatus(await as(follower).delete(url(ticket, `/followers/${engineer.id}`)), 403);
      expectStatus(await as(requester).delete(url(ticket, `/followers/${follower.id}`)), 403);
      expectStatus(await as(admin).delete(url(ticket, `/followers/${manager.id}`)), 404, ErrorCode.NOT_FOUND);
      expectStatus(await as(engineer).delete(url(ticket, `/followers/${follower.id}`)), 204);
      const left = expectStatus(await as(admin).get(url(ticket, '/followers')), 200);
      expect(left.items.map((item: any) => item.user_id)).toEqual([engineer.id]);
    });

    it('puts the follower ids on every event of a followed ticket', async () => {
      const ticket = await createTicket(t, requester);
      const quiet = await createTicket(t, requester);
      const follower = t.user(Role.END_USER);
      expectStatus(await as(admin).post(url(ticket, '/followers'), { user_id: follower.id }), 201);
      expectStatus(await as(admin).post(url(ticket, '/followers'), { user_id: engineer.id }), 201);
      expectStatus(await as(admin).patch(url(ticket), { priority: 'P2' }), 200);
      expectStatus(await as(admin).post(url(ticket, '/comments'), { content: 'On it' }), 201);
      expectStatus(await as(admin).patch(url(quiet), { priority: 'P2' }), 200);
      const events = await feedEvents(t, admin, (event) => [ticket.id, quiet.id].includes(event.ticket_id), 7);
      const ofTicket = events.filter(
        (event) => event.ticket_id === ticket.id && event.type !== TicketEventType.TICKET_CREATED,
      );
      expect(ofTicket.map((event) => event.type)).toEqual([
        'ticket.follower_added',
        'ticket.follower_added',
        'ticket.updated',
        'comment.added',
      ]);
      expect(ofTicket[0].data.follower_ids).toEqual([follower.id]);
      for (const event of ofTicket.slice(1)) expect(event.data.follower_ids).toEqual([follower.id, engineer.id]);
      const ofQuiet = events.filter((event) => event.ticket_id === quiet.id);
      expect(ofQuiet.length).toBe(2);
      for (const event of ofQuiet) expect(event.data).not.toHaveProperty('follower_ids');
    });
  });

  describe('merge', () => {
    /** A duplicate with a public comment, an internal note, an attachment and a follower, and the ticket it joins. */
    async function duplicatePair(reporter: TestUser = requester, targetFields: Record<string, unknown> = {}) {
      const target = await createTicket(t, t.user(Role.END_USER), targetFields);
      const source = await createTicket(t, reporter, targetFields);
      const comment = expectStatus(await as(reporter).post(url(source, '/comments'), { content: 'Still broken' }), 201);
      const note = expectStatus(
        await as(engineer).post(url(source, '/comments'), { content: 'Same root cause', is_internal: true }),
        201,
      );
      const attachment = expectStatus(
        await t
          .http()
          .post(url(source, '/attachments'))
          .set(...auth(reporter))
          .attach('file', PNG, 'screenshot.png'),
        201,
      );
      const follower = t.user(Role.END_USER);
      expectStatus(await as(admin).post(url(source, '/followers'), { user_id: follower.id }), 201);
      return { source, target, comment, note, attachment, follower };
    }

    it('moves comments, attachments, reporter and followers to the target and closes the source into it', async () => {
      const { source, target, comment, note, attachment, follower } = await duplicatePair();
      const merged = expectStatus(
        await as(manager)
          .post(url(source, '/merge'), { into_id: target.id, note: 'Same outage as the older ticket' })
          .set('If-Match', `"${source.version}"`),
        200,
      );
      expect(merged).toMatchObject({ id: source.id, status: 'CLOSED', merged_into_id: target.id });
      expect(merged.closed_at).not.toBeNull();
      // GET on the source still answers.
      const got = await as(requester).get(url(source));
      expect(expectStatus(got, 200)).toMatchObject({ merged_into_id: target.id, status: 'CLOSED' });
      expect(got.headers.etag).toBe(`"${merged.version}"`);

      const targetComments = expectStatus(await as(admin).get(url(target, '/comments')), 200).items;
      expect(targetComments.map((c: any) => c.id)).toEqual(expect.arrayContaining([comment.id, note.id]));
      const system = targetComments.find((c: any) => c.comment_type === 'SYSTEM');
      expect(system).toMatchObject({ is_internal: false, author_id: manager.id });
      expect(system.content).toContain(source.ticket_number);
      expect(expectStatus(await as(admin).get(url(source, '/comments')), 200).total).toBe(0);
      const targetAttachments = expectStatus(await as(admin).get(url(target, '/attachments')), 200).items;
      expect(targetAttachments.map((a: any) => a.id)).toEqual([attachment.id]);

      const followers = expectStatus(await as(admin).get(url(target, '/followers')), 200).items;
      expect(followers.map((f: any) => f.user_id).sort()).toEqual([requester.id, follower.id].sort());
      const links = expectStatus(await as(admin).get(url(source, '/links')), 200).items;
      expect(links.map((link: any) => [link.type, link.ticket.id])).toEqual([['DUPLICATE_OF', target.id]]);

      const onSource = await changeTypes(source);
      expect(onSource).toEqual(
        expect.arrayContaining(['COMMENT_MOVED', 'ATTACHMENT_MOVED', 'LINK_ADDED', 'CLOSED', 'MERGED']),
      );
      expect(onSource.filter((type) => type === 'COMMENT_MOVED').length).toBe(2);
      const onTarget = await changeTypes(target);
      expect(onTarget).toEqual(
        expect.arrayContaining(['COMMENT_MOVED', 'ATTACHMENT_MOVED', 'FOLLOWER_ADDED', 'COMMENT_ADDED', 'MERGED']),
      );
      expect((await history(target)).find((row) => row.change_type === 'MERGED')).toMatchObject({
        new_value: source.ticket_number,
        metadata: expect.objectContaining({ merged_ticket_id: source.id }),
      });

      // The source's reporter and follower now see the target as theirs; the requester sees no internal move.
      expectStatus(await as(requester).get(url(target)), 200);
      expectStatus(await as(follower).get(url(target)), 200);
      const requesterView = await history(target, requester);
      expect(requesterView.filter((row) => row.change_type === 'COMMENT_MOVED').length).toBe(1);
      const mergeEvents = await feedEvents(
        t,
        admin,
        (event) => event.type === TicketEventType.TICKET_MERGED && [source.id, target.id].includes(event.ticket_id),
        2,
      );
      expect(mergeEvents.find((event) => event.ticket_id === target.id)?.data).toMatchObject({
        merged_ticket_id: source.id,
        note: 'Same outage as the older ticket',
        follower_ids: expect.arrayContaining([requester.id, follower.id]),
      });
      // A merged ticket is not reopened: the work goes on in the target.
      expectStatus(
        await as(admin).post(url(source, '/reopen'), { reason: 'It came back after the merge.' }),
        409,
        ErrorCode.CONFLICT,
      );
    });

    it('refuses merges into closed or merged tickets, into itself, and stale versions, changing nothing', async () => {
      const { source, target, comment } = await duplicatePair();
      const closed = await createTicket(t, requester);
      expectStatus(await as(admin).post(url(closed, '/close'), {}), 200);
      expectStatus(await as(admin).post(url(source, '/merge'), { into_id: closed.id }), 409, ErrorCode.TICKET_CLOSED);
      expectStatus(await as(admin).post(url(source, '/merge'), { into_id: source.id }), 400);
      expectStatus(
        await as(admin).post(url(source, '/merge'), { into_id: target.id }).set('If-Match', '"99"'),
        412,
        ErrorCode.PRECONDITION_FAILED,
      );
      expectStatus(
        await as(admin).post(url(source, '/merge'), { into_id: target.id, into_version: target.version + 5 }),
        412,
        ErrorCode.PRECONDITION_FAILED,
      );
      expectStatus(
        await as(admin).post(url(source, '/merge'), { into_id: crypto.randomUUID() }),
        404,
        ErrorCode.NOT_FOUND,
      );
      // Nothing moved.
      const sourceComments = expectStatus(await as(admin).get(url(source, '/comments')), 200).items;
      expect(sourceComments.map((c: any) => c.id)).toContain(comment.id);
      expect(await ticketRow(source.id)).toMatchObject({ status: 'NEW', merged_into_id: null });
      expect(await changeTypes(source)).not.toContain('MERGED');

      // A chain: the target was merged into a third ticket.
      const third = await createTicket(t, requester);
      expectStatus(
        await as(admin).post(url(target, '/merge'), { into_id: third.id, into_version: third.version }),
        200,
      );
      expectStatus(await as(admin).post(url(source, '/merge'), { into_id: target.id }), 409, ErrorCode.CONFLICT);
      // And the reverse: merging the third back into its own duplicate.
      expectStatus(await as(admin).post(url(third, '/merge'), { into_id: target.id }), 409);
    });

    it('is for managers, admins and the lead of both teams', async () => {
      const lead = t.user(Role.TEAM_LEAD);
      const teamA = await createTeam(t, manager, `Merge A ${crypto.randomUUID().slice(0, 8)}`, [
        { user: lead, role: 'LEAD' },
      ]);
      const teamB = await createTeam(t, manager, `Merge B ${crypto.randomUUID().slice(0, 8)}`, [
        { user: lead, role: 'LEAD' },
      ]);
      const teamC = await createTeam(t, manager, `Merge C ${crypto.randomUUID().slice(0, 8)}`);
      const inA = await createTicket(t, requester, { team_id: teamA.id });
      const inB = await createTicket(t, requester, { team_id: teamB.id });
      const inC = await createTicket(t, requester, { team_id: teamC.id });
      expectStatus(await as(admin).put(url(inA, '/assign'), { assignee_id: engineer.id }), 200);
      expectStatus(await as(engineer).post(url(inA, '/merge'), { into_id: inB.id }), 403, ErrorCode.FORBIDDEN);
      expectStatus(await as(requester).post(url(inA, '/merge'), { into_id: inB.id }), 403);
      expectStatus(await as(lead).post(url(inA, '/merge'), { into_id: inC.id }), 403);
      expectStatus(await as(lead).post(url(inA, '/merge'), { into_id: inB.id }), 200);
    });

    it('lets exactly one of two concurrent merges of one source win', async () => {
      const { source, comment } = await duplicatePair();
      const first = await createTicket(t, requester);
      const second = await createTicket(t, requester);
      const answers = await Promise.all([
        as(manager).post(url(source, '/merge'), { into_id: first.id }),
        as(admin).post(url(source, '/merge'), { into_id: second.id }),
      ]);
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 409]);
      const loser = answers.find((res) => res.status === 409)!;
      expect(loser.body.error_code).toBe(ErrorCode.CONFLICT);
      const winnerId = answers[0].status === 200 ? first.id : second.id;
      const loserId = winnerId === first.id ? second.id : first.id;
      expect((await ticketRow(source.id)).merged_into_id).toBe(winnerId);
      const commentRow = await t.dataSource.query('SELECT ticket_id FROM comments WHERE id = $1', [comment.id]);
      expect(commentRow[0].ticket_id).toBe(winnerId);
      expect(await changeTypes({ id: loserId })).not.toContain('MERGED');
      expect((await changeTypes(source)).filter((type) => type === 'MERGED').length).toBe(1);
    });
  });

  describe('bulk', () => {
    const bulk = (user: TestUser, body: object) => as(user).post('/api/v1/tickets/bulk', body);

    it('answers each ticket as its single endpoint would: allowed, forbidden, invisible and stale items', async () => {
      const own = await createTicket(t, requester);
      const ownStale = await createTicket(t, requester);
      const foreign = await createTicket(t, t.user(Role.END_USER));
      const followed = await createTicket(t, t.user(Role.END_USER));
      expectStatus(await as(admin).post(url(followed, '/followers'), { user_id: requester.id }), 201);
      const ids = [foreign.id, own.id, followed.id, ownStale.id];
      const res = expectStatus(
        await bulk(requester, {
          ids,
          action: 'status',
          status: 'CLOSED',
          notes: 'Not needed any more',
          versions: { [ownStale.id]: ownStale.version + 1, [own.id]: own.version },
        }),
        200,
      );
      expect(res.results.map((item: any) => [item.id, item.status, item.error_code])).toEqual([
        [foreign.id, 404, ErrorCode.NOT_FOUND],
        [own.id, 200, undefined],
        [followed.id, 403, ErrorCode.FORBIDDEN],
        [ownStale.id, 412, ErrorCode.PRECONDITION_FAILED],
      ]);
      expect(res.results[1].ticket).toMatchObject({ id: own.id, status: 'CLOSED', version: own.version + 1 });
      expect(res.results[0]).not.toHaveProperty('ticket');
      // Only the allowed one changed, with its history row and the notes.
      expect((await ticketRow(own.id)).status).toBe('CLOSED');
      for (const untouched of [foreign, followed, ownStale])
        expect(await ticketRow(untouched.id)).toMatchObject({ status: 'NEW', version: untouched.version });
      const closedRow = (await history(own)).find((row) => row.change_type === 'CLOSED');
      expect(closedRow).toMatchObject({ user_id: requester.id, metadata: { notes: 'Not needed any more' } });
    });

    it('applies assign, priority, team and tags with the rules of the single endpoints', async () => {
      const team = await createTeam(t, manager, `Bulk ${crypto.randomUUID().slice(0, 8)}`);
      const a = await createTicket(t, requester, { tags: ['db', 'prod'] });
      const b = await createTicket(t, requester, { tags: ['prod'] });
      const closed = await createTicket(t, requester);
      expectStatus(await as(admin).post(url(closed, '/close'), {}), 200);
      const ids = [a.id, b.id, closed.id];

      const assigned = expectStatus(
        await bulk(engineer, { ids: [a.id, b.id], action: 'assign', assignee_id: engineer.id }),
        200,
      );
      expect(assigned.results.map((item: any) => item.ticket.status)).toEqual(['OPEN', 'OPEN']);

      const priority = expectStatus(await bulk(engineer, { ids, action: 'priority', priority: 'P1' }), 200);
      expect(priority.results.map((item: any) => item.status)).toEqual([200, 200, 403]);
      const byManager = expectStatus(await bulk(manager, { ids, action: 'priority', priority: 'P1' }), 200);
      expect(byManager.results[2]).toMatchObject({ status: 409, error_code: ErrorCode.TICKET_CLOSED });

      const tags = expectStatus(
        await bulk(engineer, { ids: [a.id, b.id], action: 'tags', add: ['Network ', 'db'], remove: ['prod'] }),
        200,
      );
      expect(tags.results.map((item: any) => item.ticket.tags)).toEqual([
        ['db', 'network'],
        ['network', 'db'],
      ]);
      const tooMany = Array.from({ length: 20 }, (_, i) => `tag-${i}`);
      const over = expectStatus(await bulk(manager, { ids: [a.id], action: 'tags', add: tooMany }), 200);
      expect(over.results[0]).toMatchObject({ status: 400, error_code: ErrorCode.VALIDATION_ERROR });

      const moved = expectStatus(await bulk(manager, { ids: [a.id, b.id], action: 'team', team_id: team.id }), 200);
      expect(moved.results.map((item: any) => item.ticket.team_id)).toEqual([team.id, team.id]);
      expect(await changeTypes(a)).toEqual(
        expect.arrayContaining(['ASSIGNMENT_CHANGE', 'PRIORITY_CHANGE', 'UPDATE', 'STATUS_CHANGE']),
      );
    });

    it('refuses a malformed request as a whole, changing nothing', async () => {
      const ticket = await createTicket(t, requester);
      const refusals: object[] = [
        { ids: [], action: 'priority', priority: 'P1' },
        { ids: Array.from({ length: 101 }, () => crypto.randomUUID()), action: 'priority', priority: 'P1' },
        { ids: [ticket.id, ticket.id], action: 'priority', priority: 'P1' },
        { ids: [ticket.id], action: 'priority' },
        { ids: [ticket.id], action: 'priority', priority: 'P1', status: 'OPEN' },
        { ids: [ticket.id], action: 'status', status: 'RESOLVED' },
        { ids: [ticket.id], action: 'delete' },
        { ids: [ticket.id], action: 'priority', priority: 'P1', versions: { [crypto.randomUUID()]: 1 } },
        { ids: ['not-a-uuid'], action: 'priority', priority: 'P1' },
      ];
      for (const body of refusals) expectStatus(await bulk(admin, body), 400, ErrorCode.VALIDATION_ERROR);
      expect((await ticketRow(ticket.id)).version).toBe(ticket.version);
    });

    it('covers the whole request with an Idempotency-Key', async () => {
      const a = await createTicket(t, requester);
      const b = await createTicket(t, requester);
      const body = { ids: [a.id, b.id], action: 'priority', priority: 'P2' };
      const key = crypto.randomUUID();
      const first = await bulk(admin, body).set('Idempotency-Key', key);
      expectStatus(first, 200);
      const again = await bulk(admin, body).set('Idempotency-Key', key);
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect((await ticketRow(a.id)).version).toBe(a.version + 1);
      expectStatus(
        await bulk(admin, { ...body, priority: 'P4' }).set('Idempotency-Key', key),
        422,
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
      );
    });
  });
});
