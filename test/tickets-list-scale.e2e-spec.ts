import { randomUUID } from 'node:crypto';
import { Role, TicketPriority } from '@ticketing/contracts';
import type { Test } from 'supertest';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

interface Page {
  items: { id: string }[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

const BASE = new Date('2026-05-04T08:00:00.000Z');
const uniqueTag = (): string => `tag-${randomUUID().slice(0, 12)}`;

/**
 * Tickets inserted in one statement: a thousand and more rows through the API would only slow the suite;
 * what is tested here is how the list reads them. `ticket_ids` come back oldest first.
 */
async function insertTickets(
  t: TestApp,
  count: number,
  fields: { tag: string; reporterId: string; title?: string },
): Promise<string[]> {
  const rows = await t.dataSource.query<{ id: string }[]>(
    `INSERT INTO tickets (title, description, category, priority, tags, reporter_id, created_at, updated_at,
                          resolution_clock_started_at)
     SELECT $1 || ' ' || g, 'Inserted for a list test at scale.', 'QUESTION', 'P3', ARRAY[$2], $3,
            $4::timestamptz + g * interval '1 second', $4::timestamptz, $4::timestamptz
     FROM generate_series(1, $5) g
     RETURNING id`,
    [fields.title ?? 'Bulk ticket', fields.tag, fields.reporterId, BASE, count],
  );
  await t.dataSource.query('ANALYZE tickets');
  return rows.map((row) => row.id);
}

describe('GET /api/v1/tickets at scale: totals and cursor paging', () => {
  let t: TestApp;
  let manager: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    manager = t.user(Role.MANAGER);
  });

  afterAll(() => t.close());

  const list = (query: Record<string, string | number>): Test =>
    t
      .http()
      .get('/api/v1/tickets')
      .query(query)
      .set(...auth(manager));

  /** Follows X-Next-Cursor from the first page to the last; every id once, in list order. */
  async function walkWithCursor(query: Record<string, string | number>): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 100; round++) {
      const res = await list(cursor ? { ...query, cursor } : query).expect(200);
      seen.push(...(res.body as Page).items.map((item) => item.id));
      cursor = res.headers['x-next-cursor'];
      if (!cursor) return seen;
    }
    throw new Error('cursor paging did not end');
  }

  describe('cursor paging', () => {
    const tag = uniqueTag();
    let reporter: TestUser;

    beforeAll(async () => {
      reporter = t.user(Role.END_USER);
      const priorities = [TicketPriority.P2, TicketPriority.P1, TicketPriority.P4, TicketPriority.P3];
      // Several tickets per instant, so the tie-breaks (created_at desc, id) decide.
      for (let i = 0; i < 23; i++) {
        t.setNow(new Date(BASE.getTime() + Math.floor(i / 3) * 60_000));
        await createTicket(t, reporter, {
          tags: [tag],
          priority: priorities[i % 4],
          title: `Cursor walk ${i % 2 === 0 ? 'kernel panic' : 'disk full'} number ${i}`,
        });
      }
      t.setNow(null);
    });

    it.each([
      ['created_at', 'desc'],
      ['created_at', 'asc'],
      ['priority', 'desc'],
      ['priority', 'asc'],
      ['ticket_number', 'asc'],
      ['status', 'desc'],
      ['updated_at', 'asc'],
      ['response_due_at', 'asc'],
    ])('serves every row once, in the order of page paging, with sort_by=%s %s', async (sortBy, order) => {
      const query = { tags: tag, sort_by: sortBy, order };
      const all = (await list({ ...query, page_size: 100 }).expect(200)).body as Page;
      expect(all.total).toBe(23);
      const walked = await walkWithCursor({ ...query, page_size: 5 });
      expect(walked).toEqual(all.items.map((item) => item.id));
    });

    it.each([
      ['created_at', 'desc'],
      ['priority', 'asc'],
      ['ticket_number', 'desc'],
      ['status', 'asc'],
      ['updated_at', 'desc'],
      ['resolution_due_at', 'asc'],
    ])(
      'serves a search with few matches (collected, then ordered) once per row, in page order, with sort_by=%s %s',
      async (sortBy, order) => {
        const query = { tags: tag, q: 'kernel panic', sort_by: sortBy, order };
        const all = (await list({ ...query, page_size: 100 }).expect(200)).body as Page;
        expect(all.total).toBe(12);
        const walked = await walkWithCursor({ ...query, page_size: 5 });
        expect(walked).toEqual(all.items.map((item) => item.id));
        const paged = [1, 2, 3].map((page) => list({ ...query, page_size: 5, page }).expect(200));
        const pages = (await Promise.all(paged)).flatMap((res) => (res.body as Page).items.map((item) => item.id));
        expect(pages).toEqual(walked);
      },
    );

    it('pages by relevance with a cursor too', async () => {
      const query = { tags: tag, q: 'kernel panic', sort_by: 'relevance' };
      const all = (await list({ ...query, page_size: 100 }).expect(200)).body as Page;
      expect(all.total).toBe(12);
      expect(await walkWithCursor({ ...query, page_size: 5 })).toEqual(all.items.map((item) => item.id));
    });

    it('announces no next cursor on the last page', async () => {
      const res = await list({ tags: tag, page_size: 100 }).expect(200);
      expect(res.headers['x-next-cursor']).toBeUndefined();
      expect(res.headers['x-total-exact']).toBe('true');
    });

    it('refuses a cursor with page, a cursor of another order, and a forged cursor', async () => {
      const first = await list({ tags: tag, page_size: 5 }).expect(200);
      const cursor = first.headers['x-next-cursor'];
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);

      const withPage = await list({ tags: tag, cursor, page: 2 }).expect(400);
      expect(withPage.body.error_code).toBe('VALIDATION_ERROR');
      const otherOrder = await list({ tags: tag, cursor, sort_by: 'priority' }).expect(400);
      expect(otherOrder.body.errors).toEqual([{ field: 'cursor', message: 'was issued for another sort_by or order' }]);
      const forged = Buffer.from(JSON.stringify({ id: 'not-a-uuid', s: 'created_at', o: 'desc' })).toString(
        'base64url',
      );
      expect((await list({ tags: tag, cursor: forged }).expect(400)).body.error_code).toBe('VALIDATION_ERROR');
      expect((await list({ tags: tag, cursor: 'no+base64/url' }).expect(400)).body.error_code).toBe('VALIDATION_ERROR');
    });
  });

  describe('totals above the exact limit', () => {
    const tag = uniqueTag();
    let inserted: string[];

    beforeAll(async () => {
      inserted = await insertTickets(t, 1_050, { tag, reporterId: randomUUID(), title: 'Quasar bulk' });
    });

    it('counts exactly up to 1000 matches', async () => {
      const res = await list({ tags: tag, created_before: new Date(BASE.getTime() + 901_000).toISOString() });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ total: 900, pages: 45 });
      expect(res.headers['x-total-exact']).toBe('true');
    });

    it('above 1000 matches answers an estimate over 1000, marked as such, and keeps pages consistent', async () => {
      const res = await list({ tags: tag, page_size: 50 }).expect(200);
      expect(res.headers['x-total-exact']).toBe('false');
      const body = res.body as Page;
      expect(body.total).toBeGreaterThan(1000);
      expect(body.pages).toBe(Math.ceil(body.total / 50));
      expect(body.items.map((item) => item.id)).toEqual(inserted.slice(-50).reverse());
    });

    it('serves a deep page and the rows after it by cursor alike', async () => {
      const page = (await list({ tags: tag, page: 21, page_size: 50 }).expect(200)).body as Page;
      expect(page.items.map((item) => item.id)).toEqual(inserted.slice(0, 50).reverse());
      const beforeLast = await list({ tags: tag, page: 20, page_size: 50 }).expect(200);
      const next = await list({ tags: tag, page_size: 50, cursor: beforeLast.headers['x-next-cursor'] });
      expect(next.status).toBe(200);
      expect((next.body as Page).items.map((item) => item.id)).toEqual(page.items.map((item) => item.id));
      expect(next.headers['x-next-cursor']).toBeUndefined();
    });

    it('finds tickets through comment text whether few or many tickets have matching comments', async () => {
      const author = randomUUID();
      // "zebrafish" in 1,020 comments (more than are named individually) and "narwhal" in two.
      await t.dataSource.query(
        `INSERT INTO comments (ticket_id, author_id, content, comment_type, is_internal, created_at, updated_at)
         SELECT id, $1, 'Seen a zebrafish near the rack', 'COMMENT', false, now(), now()
         FROM unnest($2::uuid[]) AS id`,
        [author, inserted.slice(0, 1_020)],
      );
      await t.dataSource.query(
        `INSERT INTO comments (ticket_id, author_id, content, comment_type, is_internal, created_at, updated_at)
         SELECT id, $1, 'A narwhal was spotted', 'COMMENT', false, now(), now() FROM unnest($2::uuid[]) AS id`,
        [author, [inserted[5], inserted[7]]],
      );
      const many = await list({ tags: tag, q: 'zebrafish', page_size: 10 }).expect(200);
      expect((many.body as Page).items.map((item) => item.id)).toEqual(inserted.slice(1_010, 1_020).reverse());
      expect((many.body as Page).total).toBeGreaterThan(1000);
      const ranked = await list({ tags: tag, q: 'zebrafish', sort_by: 'relevance', page_size: 10 }).expect(200);
      expect((ranked.body as Page).total).toBe((many.body as Page).total);
      const few = await list({ tags: tag, q: 'narwhal' }).expect(200);
      expect(few.body).toMatchObject({ total: 2 });
      expect((few.body as Page).items.map((item) => item.id)).toEqual([inserted[7], inserted[5]]);
    });
  });
});
