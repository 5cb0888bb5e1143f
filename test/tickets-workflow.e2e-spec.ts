import { Role } from '@ticketing/contracts';
import type supertest from 'supertest';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

type Status = 'NEW' | 'OPEN' | 'IN_PROGRESS' | 'PENDING_INFO' | 'ESCALATED' | 'RESOLVED' | 'CLOSED' | 'REOPENED';

const STATUSES: Status[] = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'PENDING_INFO',
  'ESCALATED',
  'RESOLVED',
  'CLOSED',
  'REOPENED',
];

/** Spec §5, written out independently of the product's own table. */
const ALLOWED: Record<Status, Status[]> = {
  NEW: ['OPEN', 'IN_PROGRESS', 'CLOSED'],
  OPEN: ['IN_PROGRESS', 'PENDING_INFO', 'RESOLVED', 'CLOSED'],
  IN_PROGRESS: ['PENDING_INFO', 'RESOLVED', 'ESCALATED', 'OPEN'],
  PENDING_INFO: ['IN_PROGRESS', 'OPEN', 'CLOSED'],
  RESOLVED: ['CLOSED', 'REOPENED'],
  CLOSED: ['REOPENED'],
  REOPENED: ['OPEN', 'IN_PROGRESS', 'RESOLVED'],
  ESCALATED: ['IN_PROGRESS', 'RESOLVED', 'CLOSED'],
};

/** How to reach each status from NEW with allowed moves only. */
const PATH_FROM_NEW: Record<Status, Status[]> = {
  NEW: [],
  OPEN: ['OPEN'],
  IN_PROGRESS: ['IN_PROGRESS'],
  PENDING_INFO: ['OPEN', 'PENDING_INFO'],
  ESCALATED: ['IN_PROGRESS', 'ESCALATED'],
  RESOLVED: ['OPEN', 'RESOLVED'],
  CLOSED: ['CLOSED'],
  REOPENED: ['OPEN', 'RESOLVED', 'REOPENED'],
};

const ALLOWED_CASES: [Status, Status][] = STATUSES.flatMap((from) =>
  ALLOWED[from].map((to): [Status, Status] => [from, to]),
);
const FORBIDDEN_CASES: [Status, Status][] = STATUSES.flatMap((from) =>
  STATUSES.filter((to) => !ALLOWED[from].includes(to)).map((to): [Status, Status] => [from, to]),
);

const RESOLUTION_NOTES = 'Freed disk space and added log rotation.';
const REOPEN_REASON = 'The disk filled up again this morning.';

/** The body of a status move; RESOLVED and REOPENED carry what they require. */
function statusBody(to: Status): Record<string, string> {
  if (to === 'RESOLVED') return { status: to, resolution_notes: RESOLUTION_NOTES };
  if (to === 'REOPENED') return { status: to, notes: REOPEN_REASON };
  return { status: to };
}

interface HistoryEntry {
  id: string;
  ticket_id: string;
  change_type: string;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  user_id: string | null;
  created_at: string;
  metadata: Record<string, unknown>;
}

describe('tickets: status workflow, actions, history and SLA side effects', () => {
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

  const moveStatus = (user: TestUser, id: string, body: Record<string, unknown>) =>
    t
      .http()
      .patch(`/api/v1/tickets/${id}/status`)
      .set(...auth(user))
      .send(body);
  const action = (user: TestUser, id: string, name: 'resolve' | 'close' | 'reopen', body: Record<string, unknown>) =>
    t
      .http()
      .post(`/api/v1/tickets/${id}/${name}`)
      .set(...auth(user))
      .send(body);
  const assign = (user: TestUser, id: string, body: Record<string, unknown>) =>
    t
      .http()
      .put(`/api/v1/tickets/${id}/assign`)
      .set(...auth(user))
      .send(body);
  async function get(id: string): Promise<Record<string, any>> {
    const res = await t
      .http()
      .get(`/api/v1/tickets/${id}`)
      .set(...auth(admin))
      .expect(200);
    return res.body as Record<string, any>;
  }

  async function history(id: string, user: TestUser = admin): Promise<HistoryEntry[]> {
    const res = await t
      .http()
      .get(`/api/v1/tickets/${id}/history`)
      .query({ page_size: 100 })
      .set(...auth(user))
      .expect(200);
    return res.body.items as HistoryEntry[];
  }

  /** A fresh ticket moved from NEW to `status` by `actor` (ADMIN by default). */
  async function ticketIn(status: Status, overrides: Record<string, unknown> = {}, actor = admin) {
    const ticket = await createTicket(t, t.user(Role.END_USER), overrides);
    for (const step of PATH_FROM_NEW[status]) {
      const res = await moveStatus(actor, ticket.id as string, statusBody(step));
      if (res.status !== 200) throw new Error(`walk to ${step}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const current = await get(ticket.id as string);
    expect(current.status).toBe(status);
    return current;
  }

  function expectConflict(res: supertest.Response, code: string): void {
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: expect.any(String), error_code: code, request_id: res.headers['x-request-id'] });
  }

  function expectValidationError(res: supertest.Response, field: string): void {
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('VALIDATION_ERROR');
    expect((res.body.errors as { field: string }[]).map((error) => error.field)).toContain(field);
  }

  describe('allowed transitions (spec §5) via PATCH /status', () => {
    it('covers the whole table', () => {
      expect(ALLOWED_CASES).toHaveLength(23);
      expect(FORBIDDEN_CASES).toHaveLength(41);
    });

    it.each(ALLOWED_CASES)('%s → %s', async (from, to) => {
      const ticket = await ticketIn(from);
      const res = await moveStatus(admin, ticket.id, statusBody(to));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(to);
      expect(res.body.version).toBe(ticket.version + 1);
      expect(res.headers.etag).toBe(`"${ticket.version + 1}"`);
      if (to === 'RESOLVED') {
        expect(res.body.resolved_at).toBe(res.body.updated_at);
        expect(res.body.resolution_notes).toBe(RESOLUTION_NOTES);
      }
      if (to === 'CLOSED') expect(res.body.closed_at).toBe(res.body.updated_at);
      if (to === 'REOPENED') {
        expect(res.body).toMatchObject({ reopen_count: ticket.reopen_count + 1, resolved_at: null, closed_at: null });
      }
      expect(await get(ticket.id)).toEqual(res.body);
    });
  });

  describe('forbidden transitions', () => {
    it.each(FORBIDDEN_CASES)(
      '%s → %s is 409 INVALID_STATUS_TRANSITION naming the allowed targets',
      async (from, to) => {
        const ticket = await ticketIn(from);
        const res = await moveStatus(admin, ticket.id, statusBody(to));
        expectConflict(res, 'INVALID_STATUS_TRANSITION');
        for (const target of ALLOWED[from]) expect(res.body.detail).toMatch(new RegExp(`\\b${target}\\b`));
        expect(await get(ticket.id)).toEqual(ticket);
      },
    );

    it('treats CLOSED → OPEN as INVALID_STATUS_TRANSITION, not TICKET_CLOSED', async () => {
      const ticket = await ticketIn('CLOSED');
      const res = await moveStatus(admin, ticket.id, { status: 'OPEN' });
      expectConflict(res, 'INVALID_STATUS_TRANSITION');
      expect(res.body.detail).toMatch(/\bREOPENED\b/);
    });

    it('refuses resolve and close from states that cannot reach them', async () => {
      const fresh = await ticketIn('NEW');
      expectConflict(
        await action(admin, fresh.id, 'resolve', { resolution_notes: RESOLUTION_NOTES }),
        'INVALID_STATUS_TRANSITION',
      );
      const closed = await ticketIn('CLOSED');
      expectConflict(await action(admin, closed.id, 'close', {}), 'INVALID_STATUS_TRANSITION');
      expectConflict(
        await action(admin, closed.id, 'resolve', { resolution_notes: RESOLUTION_NOTES }),
        'INVALID_STATUS_TRANSITION',
      );
      const open = await ticketIn('OPEN');
      expectConflict(await action(admin, open.id, 'reopen', { reason: REOPEN_REASON }), 'INVALID_STATUS_TRANSITION');
      expect(await get(open.id)).toEqual(open);
    });

    it('rejects an unknown status with 400', async () => {
      const ticket = await ticketIn('NEW');
      expectValidationError(await moveStatus(admin, ticket.id, { status: 'DONE' }), 'status');
      expectValidationError(await moveStatus(admin, ticket.id, {}), 'status');
    });
  });

  describe('resolve', () => {
    it('sets RESOLVED, resolved_at and resolution_notes', async () => {
      const ticket = await ticketIn('IN_PROGRESS');
      const now = new Date(Date.now() + HOUR_MS);
      t.setNow(now);
      const res = await action(admin, ticket.id, 'resolve', { resolution_notes: `  ${RESOLUTION_NOTES}  ` }).expect(
        200,
      );
      expect(res.body).toMatchObject({
        status: 'RESOLVED',
        resolved_at: now.toISOString(),
        resolution_notes: RESOLUTION_NOTES,
        closed_at: null,
      });
      expect(res.headers.etag).toBe(`"${ticket.version + 1}"`);
    });

    it.each([
      ['9-character notes', { resolution_notes: '123456789' }],
      ['no notes', {}],
      ['notes empty after trimming', { resolution_notes: '            ' }],
      ['notes above 10000 characters', { resolution_notes: 'n'.repeat(10_001) }],
    ])('rejects %s with 400', async (_name, body) => {
      const ticket = await ticketIn('OPEN');
      expectValidationError(await action(admin, ticket.id, 'resolve', body), 'resolution_notes');
      expect(await get(ticket.id)).toEqual(ticket);
    });

    it('requires resolution_notes on PATCH /status to RESOLVED', async () => {
      const ticket = await ticketIn('OPEN');
      expectValidationError(await moveStatus(admin, ticket.id, { status: 'RESOLVED' }), 'resolution_notes');
      expectValidationError(
        await moveStatus(admin, ticket.id, { status: 'RESOLVED', resolution_notes: 'too short' }),
        'resolution_notes',
      );
      expect(await get(ticket.id)).toEqual(ticket);
    });
  });

  describe('close', () => {
    it('sets CLOSED and closed_at, with or without notes', async () => {
      const now = new Date(Date.now() + 2 * HOUR_MS);
      const resolved = await ticketIn('RESOLVED');
      t.setNow(now);
      const res = await action(admin, resolved.id, 'close', { notes: 'Confirmed by the requester' }).expect(200);
      expect(res.body).toMatchObject({ status: 'CLOSED', closed_at: now.toISOString() });
      const open = await ticketIn('OPEN');
      const bare = await action(admin, open.id, 'close', {}).expect(200);
      expect(bare.body).toMatchObject({ status: 'CLOSED', closed_at: now.toISOString() });
    });
  });

  describe('reopen', () => {
    it('reopens a RESOLVED ticket: reopen_count + 1, resolved_at cleared, resolution clock restarted', async () => {
      const t0 = new Date('2032-01-10T09:00:00.000Z');
      t.setNow(t0);
      const ticket = await ticketIn('RESOLVED', { priority: 'P1' });
      expect(ticket.resolved_at).toBe(t0.toISOString());
      const t1 = new Date(t0.getTime() + 3 * HOUR_MS);
      t.setNow(t1);
      const res = await action(admin, ticket.id, 'reopen', { reason: REOPEN_REASON }).expect(200);
      expect(res.body).toMatchObject({
        status: 'REOPENED',
        reopen_count: 1,
        resolved_at: null,
        closed_at: null,
        response_due_at: new Date(t0.getTime() + HOUR_MS).toISOString(),
        resolution_due_at: new Date(t1.getTime() + 4 * HOUR_MS).toISOString(),
      });
    });

    it('reopens a CLOSED ticket within the window and counts every reopen', async () => {
      const t0 = new Date('2032-02-01T12:00:00.000Z');
      t.setNow(t0);
      const ticket = await ticketIn('RESOLVED');
      await action(admin, ticket.id, 'close', {}).expect(200);
      t.setNow(new Date(t0.getTime() + 7 * DAY_MS - MINUTE_MS));
      const first = await action(admin, ticket.id, 'reopen', { reason: REOPEN_REASON }).expect(200);
      expect(first.body).toMatchObject({ status: 'REOPENED', reopen_count: 1, resolved_at: null, closed_at: null });

      await moveStatus(admin, ticket.id, statusBody('RESOLVED')).expect(200);
      await action(admin, ticket.id, 'close', {}).expect(200);
      const second = await moveStatus(admin, ticket.id, statusBody('REOPENED')).expect(200);
      expect(second.body).toMatchObject({ status: 'REOPENED', reopen_count: 2, resolved_at: null, closed_at: null });
    });

    it('refuses to reopen a ticket closed more than 7 days ago with 409 REOPEN_WINDOW_EXPIRED', async () => {
      const t0 = new Date('2032-03-01T12:00:00.000Z');
      t.setNow(t0);
      const ticket = await ticketIn('CLOSED');
      expect(ticket.closed_at).toBe(t0.toISOString());
      t.setNow(new Date(t0.getTime() + 8 * DAY_MS));
      expectConflict(await action(admin, ticket.id, 'reopen', { reason: REOPEN_REASON }), 'REOPEN_WINDOW_EXPIRED');
      expectConflict(await moveStatus(admin, ticket.id, statusBody('REOPENED')), 'REOPEN_WINDOW_EXPIRED');
      expect(await get(ticket.id)).toMatchObject({ status: 'CLOSED', reopen_count: 0, closed_at: t0.toISOString() });
    });

    it('requires a reason of at least 10 characters', async () => {
      const ticket = await ticketIn('RESOLVED');
      expectValidationError(await action(admin, ticket.id, 'reopen', { reason: '123456789' }), 'reason');
      expectValidationError(await action(admin, ticket.id, 'reopen', {}), 'reason');
      expectValidationError(await moveStatus(admin, ticket.id, { status: 'REOPENED', notes: '123456789' }), 'notes');
      expectValidationError(await moveStatus(admin, ticket.id, { status: 'REOPENED' }), 'notes');
      expect(await get(ticket.id)).toEqual(ticket);
    });
  });

  describe('assign', () => {
    it('opens a NEW ticket and records ASSIGNMENT_CHANGE and STATUS_CHANGE', async () => {
      const engineer = t.user(Role.DEVOPS_ENGINEER);
      const ticket = await ticketIn('NEW');
      const now = new Date(Date.now() + 5 * MINUTE_MS);
      t.setNow(now);
      const res = await assign(admin, ticket.id, { assignee_id: engineer.id }).expect(200);
      expect(res.body).toMatchObject({
        status: 'OPEN',
        assignee_id: engineer.id,
        first_response_at: now.toISOString(),
        version: 2,
      });
      expect(res.headers.etag).toBe('"2"');
      const rows = (await history(ticket.id)).slice(1);
      expect(rows).toHaveLength(2);
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            change_type: 'ASSIGNMENT_CHANGE',
            field_name: 'assignee_id',
            old_value: null,
            new_value: engineer.id,
            user_id: admin.id,
          }),
          expect.objectContaining({
            change_type: 'STATUS_CHANGE',
            field_name: 'status',
            old_value: 'NEW',
            new_value: 'OPEN',
            user_id: admin.id,
          }),
        ]),
      );
    });

    it('keeps the status of a ticket that is past NEW', async () => {
      const engineer = t.user(Role.DEVOPS_ENGINEER);
      const ticket = await ticketIn('IN_PROGRESS');
      const res = await assign(admin, ticket.id, { assignee_id: engineer.id }).expect(200);
      expect(res.body).toMatchObject({ status: 'IN_PROGRESS', assignee_id: engineer.id });
      const rows = (await history(ticket.id)).filter((row) => row.change_type === 'ASSIGNMENT_CHANGE');
      expect(rows).toHaveLength(1);
    });
  });

  describe('a CLOSED ticket', () => {
    it('refuses PUT, PATCH and assign with 409 TICKET_CLOSED and stays unchanged', async () => {
      const ticket = await ticketIn('CLOSED');
      expectConflict(
        await t
          .http()
          .put(`/api/v1/tickets/${ticket.id}`)
          .set(...auth(admin))
          .send({
            title: 'Edited after closing',
            description: 'This edit must not be applied.',
            category: 'INCIDENT',
          }),
        'TICKET_CLOSED',
      );
      expectConflict(
        await t
          .http()
          .patch(`/api/v1/tickets/${ticket.id}`)
          .set(...auth(admin))
          .send({ priority: 'P1' }),
        'TICKET_CLOSED',
      );
      expectConflict(await assign(admin, ticket.id, { assignee_id: t.user(Role.DEVOPS_ENGINEER).id }), 'TICKET_CLOSED');
      expect(await get(ticket.id)).toEqual(ticket);
    });
  });

  describe('history', () => {
    it('records every change type with the acting user, oldest first', async () => {
      const reporter = t.user(Role.END_USER);
      const manager = t.user(Role.MANAGER);
      const engineer = t.user(Role.DEVOPS_ENGINEER);
      const secondAdmin = t.user(Role.ADMIN);

      const ticket = await createTicket(t, reporter, { title: 'Original title here', priority: 'P3' });
      const id = ticket.id as string;
      await t
        .http()
        .patch(`/api/v1/tickets/${id}`)
        .set(...auth(manager))
        .send({ title: 'Edited title here', affected_service: 'Gateway' })
        .expect(200);
      await t
        .http()
        .patch(`/api/v1/tickets/${id}`)
        .set(...auth(manager))
        .send({ priority: 'P1' })
        .expect(200);
      await assign(admin, id, { assignee_id: engineer.id }).expect(200);
      await moveStatus(engineer, id, { status: 'IN_PROGRESS' }).expect(200);
      await moveStatus(engineer, id, { status: 'ESCALATED' }).expect(200);
      await action(manager, id, 'resolve', { resolution_notes: RESOLUTION_NOTES }).expect(200);
      await action(reporter, id, 'reopen', { reason: REOPEN_REASON }).expect(200);
      await moveStatus(secondAdmin, id, { status: 'RESOLVED', resolution_notes: 'Second fix, now for good.' }).expect(
        200,
      );
      await action(admin, id, 'close', { notes: 'Confirmed by the requester' }).expect(200);

      const rows = await history(id, reporter);
      expect(rows.every((row) => row.ticket_id === id)).toBe(true);
      for (const row of rows) expect(row.created_at).toMatch(/Z$/);
      const sortedPair = (pair: HistoryEntry[]) =>
        [...pair].sort((a, b) => (a.field_name ?? '').localeCompare(b.field_name ?? ''));

      expect(rows).toHaveLength(12);
      expect(rows[0]).toMatchObject({ change_type: 'CREATED', user_id: reporter.id });
      expect(sortedPair(rows.slice(1, 3))).toEqual([
        expect.objectContaining({
          change_type: 'UPDATE',
          field_name: 'affected_service',
          old_value: null,
          new_value: 'Gateway',
          user_id: manager.id,
        }),
        expect.objectContaining({
          change_type: 'UPDATE',
          field_name: 'title',
          old_value: 'Original title here',
          new_value: 'Edited title here',
          user_id: manager.id,
        }),
      ]);
      expect(rows[3]).toMatchObject({
        change_type: 'PRIORITY_CHANGE',
        field_name: 'priority',
        old_value: 'P3',
        new_value: 'P1',
        user_id: manager.id,
      });
      expect(sortedPair(rows.slice(4, 6))).toEqual([
        expect.objectContaining({
          change_type: 'ASSIGNMENT_CHANGE',
          field_name: 'assignee_id',
          new_value: engineer.id,
          user_id: admin.id,
        }),
        expect.objectContaining({
          change_type: 'STATUS_CHANGE',
          old_value: 'NEW',
          new_value: 'OPEN',
          user_id: admin.id,
        }),
      ]);
      expect(rows[6]).toMatchObject({
        change_type: 'STATUS_CHANGE',
        old_value: 'OPEN',
        new_value: 'IN_PROGRESS',
        user_id: engineer.id,
      });
      expect(rows[7]).toMatchObject({
        change_type: 'ESCALATED',
        old_value: 'IN_PROGRESS',
        new_value: 'ESCALATED',
        user_id: engineer.id,
      });
      expect(rows[8]).toMatchObject({
        change_type: 'RESOLVED',
        old_value: 'ESCALATED',
        new_value: 'RESOLVED',
        user_id: manager.id,
      });
      expect(rows[8].metadata.resolution_notes).toBe(RESOLUTION_NOTES);
      expect(rows[9]).toMatchObject({
        change_type: 'REOPENED',
        old_value: 'RESOLVED',
        new_value: 'REOPENED',
        user_id: reporter.id,
      });
      expect(rows[9].metadata.notes).toBe(REOPEN_REASON);
      expect(rows[10]).toMatchObject({ change_type: 'RESOLVED', user_id: secondAdmin.id });
      expect(rows[10].metadata.resolution_notes).toBe('Second fix, now for good.');
      expect(rows[11]).toMatchObject({
        change_type: 'CLOSED',
        old_value: 'RESOLVED',
        new_value: 'CLOSED',
        user_id: admin.id,
      });
      expect(rows[11].metadata.notes).toBe('Confirmed by the requester');

      await t
        .http()
        .delete(`/api/v1/tickets/${id}`)
        .set(...auth(secondAdmin))
        .expect(204);
      const stored = await t.dataSource.query<{ change_type: string; user_id: string | null }[]>(
        'SELECT change_type, user_id FROM ticket_history WHERE ticket_id = $1 ORDER BY seq',
        [id],
      );
      expect(stored.map((row) => row.change_type)).toEqual([...rows.map((row) => row.change_type), 'DELETED']);
      expect(stored[stored.length - 1].user_id).toBe(secondAdmin.id);
    });

    it('pages oldest first with page_size=2', async () => {
      const ticket = await ticketIn('REOPENED');
      await moveStatus(admin, ticket.id, { status: 'IN_PROGRESS' }).expect(200);
      const all = await history(ticket.id);
      expect(all.map((row) => row.change_type)).toEqual([
        'CREATED',
        'STATUS_CHANGE',
        'RESOLVED',
        'REOPENED',
        'STATUS_CHANGE',
      ]);
      const times = all.map((row) => Date.parse(row.created_at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);

      const pages: HistoryEntry[][] = [];
      for (const page of [1, 2, 3]) {
        const res = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/history`)
          .query({ page, page_size: 2 })
          .set(...auth(admin))
          .expect(200);
        expect(res.body).toMatchObject({ total: 5, page, page_size: 2, pages: 3 });
        pages.push(res.body.items);
      }
      expect(pages.map((items) => items.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(all);
      const beyond = await t
        .http()
        .get(`/api/v1/tickets/${ticket.id}/history`)
        .query({ page: 4, page_size: 2 })
        .set(...auth(admin))
        .expect(200);
      expect(beyond.body).toMatchObject({ items: [], total: 5, pages: 3 });
    });

    it('is append-only: the database refuses UPDATE and DELETE of history rows', async () => {
      const ticket = await ticketIn('OPEN');
      const select = () =>
        t.dataSource.query<Record<string, unknown>[]>(
          'SELECT * FROM ticket_history WHERE ticket_id = $1 ORDER BY seq',
          [ticket.id],
        );
      const before = await select();
      expect(before).toHaveLength(2);
      await expect(
        t.dataSource.query(`UPDATE ticket_history SET new_value = 'CLOSED', user_id = NULL WHERE ticket_id = $1`, [
          ticket.id,
        ]),
      ).rejects.toThrow();
      await expect(
        t.dataSource.query('DELETE FROM ticket_history WHERE ticket_id = $1', [ticket.id]),
      ).rejects.toThrow();
      expect(await select()).toEqual(before);
    });
  });

  describe('SLA side effects', () => {
    it('moves resolution_due_at later by the time spent in PENDING_INFO', async () => {
      const t0 = new Date('2032-04-01T08:00:00.000Z');
      t.setNow(t0);
      const ticket = await createTicket(t, t.user(Role.END_USER), { priority: 'P1' });
      expect(ticket.resolution_due_at).toBe(new Date(t0.getTime() + 4 * HOUR_MS).toISOString());

      t.setNow(new Date(t0.getTime() + 5 * MINUTE_MS));
      await moveStatus(admin, ticket.id, { status: 'OPEN' }).expect(200);
      t.setNow(new Date(t0.getTime() + 10 * MINUTE_MS));
      const pending = await moveStatus(admin, ticket.id, { status: 'PENDING_INFO' }).expect(200);
      expect(pending.body.resolution_due_at).toBe(ticket.resolution_due_at);
      t.setNow(new Date(t0.getTime() + 70 * MINUTE_MS));
      const back = await moveStatus(admin, ticket.id, { status: 'IN_PROGRESS' }).expect(200);

      expect(back.body.resolution_due_at).toBe(new Date(t0.getTime() + 4 * HOUR_MS + 60 * MINUTE_MS).toISOString());
      expect(back.body.response_due_at).toBe(ticket.response_due_at);
    });

    it('recomputes both due dates from created_at on a priority change, keeping paused time', async () => {
      const t0 = new Date('2032-04-02T08:00:00.000Z');
      t.setNow(t0);
      const ticket = await createTicket(t, t.user(Role.END_USER), { priority: 'P3' });
      expect(ticket.response_due_at).toBe(new Date(t0.getTime() + 8 * HOUR_MS).toISOString());
      expect(ticket.resolution_due_at).toBe(new Date(t0.getTime() + 72 * HOUR_MS).toISOString());

      t.setNow(new Date(t0.getTime() + MINUTE_MS));
      await moveStatus(admin, ticket.id, { status: 'OPEN' }).expect(200);
      t.setNow(new Date(t0.getTime() + 10 * MINUTE_MS));
      await moveStatus(admin, ticket.id, { status: 'PENDING_INFO' }).expect(200);
      t.setNow(new Date(t0.getTime() + 40 * MINUTE_MS));
      const back = await moveStatus(admin, ticket.id, { status: 'IN_PROGRESS' }).expect(200);
      expect(back.body.resolution_due_at).toBe(new Date(t0.getTime() + 72 * HOUR_MS + 30 * MINUTE_MS).toISOString());

      t.setNow(new Date(t0.getTime() + 2 * HOUR_MS));
      const res = await t
        .http()
        .patch(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .send({ priority: 'P1' })
        .expect(200);
      expect(res.body.priority).toBe('P1');
      expect(res.body.response_due_at).toBe(new Date(t0.getTime() + HOUR_MS).toISOString());
      expect(res.body.resolution_due_at).toBe(new Date(t0.getTime() + 4 * HOUR_MS + 30 * MINUTE_MS).toISOString());
      const rows = (await history(ticket.id)).filter((row) => row.change_type === 'PRIORITY_CHANGE');
      expect(rows).toEqual([expect.objectContaining({ old_value: 'P3', new_value: 'P1', user_id: admin.id })]);
    });

    it('sets first_response_at when staff other than the reporter moves the ticket out of NEW', async () => {
      const reporterAdmin = t.user(Role.ADMIN);
      const otherAdmin = t.user(Role.ADMIN);
      const t0 = new Date('2032-04-03T08:00:00.000Z');

      t.setNow(t0);
      const own = await createTicket(t, reporterAdmin);
      t.setNow(new Date(t0.getTime() + 10 * MINUTE_MS));
      const byReporter = await moveStatus(reporterAdmin, own.id, { status: 'OPEN' }).expect(200);
      expect(byReporter.body.first_response_at).toBeNull();

      t.setNow(t0);
      const other = await createTicket(t, reporterAdmin);
      const answeredAt = new Date(t0.getTime() + 20 * MINUTE_MS);
      t.setNow(answeredAt);
      const byOther = await moveStatus(otherAdmin, other.id, { status: 'OPEN' }).expect(200);
      expect(byOther.body.first_response_at).toBe(answeredAt.toISOString());

      t.setNow(new Date(t0.getTime() + 30 * MINUTE_MS));
      const later = await moveStatus(otherAdmin, other.id, { status: 'IN_PROGRESS' }).expect(200);
      expect(later.body.first_response_at).toBe(answeredAt.toISOString());
    });

    it('does not count a requester withdrawing their own ticket as a first response', async () => {
      const reporter = t.user(Role.END_USER);
      const ticket = await createTicket(t, reporter);
      const withdrawnAt = new Date(Date.parse(ticket.created_at) + 10 * MINUTE_MS);
      t.setNow(withdrawnAt);
      const res = await moveStatus(reporter, ticket.id, { status: 'CLOSED' }).expect(200);
      // Spec §5: entering CLOSED sets closed_at, whatever the route.
      expect(res.body).toMatchObject({
        status: 'CLOSED',
        first_response_at: null,
        closed_at: withdrawnAt.toISOString(),
      });
    });
  });
});
