import { randomUUID } from 'node:crypto';
import {
  ImpactLevel,
  Role,
  TicketCategory,
  TicketEnvironment,
  TicketPriority,
  TicketStatus,
} from '@ticketing/contracts';
import type { Response } from 'supertest';
import { auth, createTeam, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

type QueryValue = string | number | boolean | readonly string[];
type Query = Record<string, QueryValue>;
interface Ticket {
  id: string;
  priority: string;
  status: string;
  created_at: string;
  updated_at: string;
  response_due_at: string | null;
  response_breached: boolean;
  resolution_breached: boolean;
}

interface ErrorBody {
  detail: string;
  errors: { field: string; message: string }[];
}

interface Page {
  items: Ticket[];
  total: number;
  page: number;
  page_size: number;
  pages: number;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const BASE = new Date('2026-03-02T08:00:00.000Z');
const at = (offsetMs: number): Date => new Date(BASE.getTime() + offsetMs);

/** Spec §4 lists the statuses in workflow order; `sort_by=status` follows it. */
const WORKFLOW_ORDER = [
  TicketStatus.NEW,
  TicketStatus.OPEN,
  TicketStatus.IN_PROGRESS,
  TicketStatus.PENDING_INFO,
  TicketStatus.ESCALATED,
  TicketStatus.RESOLVED,
  TicketStatus.CLOSED,
  TicketStatus.REOPENED,
];
const PRIORITY_RANK: Record<string, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/** A query string with repeated keys for array values (`status=OPEN&status=NEW`). */
function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  return params.toString();
}

const uniqueTag = (): string => `tag-${randomUUID().slice(0, 12)}`;
const ids = (page: Page): string[] => page.items.map((ticket) => ticket.id);
const sortedIds = (tickets: Ticket[]): string[] => tickets.map((ticket) => ticket.id).sort();

describe('GET /api/v1/tickets (spec §8, collection envelope of §2)', () => {
  let t: TestApp;
  let manager: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    manager = t.user(Role.MANAGER);
    admin = t.user(Role.ADMIN);
  });

  afterEach(() => {
    t.setNow(null);
  });

  afterAll(async () => {
    await t.close();
  });

  async function create(reporter: TestUser, overrides: Record<string, unknown> = {}): Promise<Ticket> {
    return (await createTicket(t, reporter, overrides)) as Ticket;
  }

  function get(user: TestUser, query: Query | string): Promise<Response> {
    const search = typeof query === 'string' ? query : queryString(query);
    return t
      .http()
      .get(`/api/v1/tickets${search ? `?${search}` : ''}`)
      .set(...auth(user));
  }

  async function list(user: TestUser, query: Query | string): Promise<Page> {
    const res = await get(user, query);
    if (res.status !== 200) throw new Error(`list ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Page;
  }

  async function expectInvalid(user: TestUser, query: Query | string, field?: string): Promise<Response> {
    const res = await get(user, query);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error_code: 'VALIDATION_ERROR',
      request_id: res.headers['x-request-id'],
    });
    const body = res.body as ErrorBody;
    expect(typeof body.detail).toBe('string');
    expect(Array.isArray(body.errors)).toBe(true);
    if (field) expect(body.errors.map((error) => error.field)).toContain(field);
    return res;
  }

  /** Creates a ticket with the service clock at `when` (real time when omitted). */
  async function ticketAt(reporter: TestUser, when: Date | null, overrides: Record<string, unknown> = {}) {
    t.setNow(when);
    try {
      return await create(reporter, overrides);
    } finally {
      t.setNow(null);
    }
  }

  async function moveTo(ticket: Ticket, status: TicketStatus, extra: Record<string, unknown> = {}): Promise<Ticket> {
    const res = await t
      .http()
      .patch(`/api/v1/tickets/${ticket.id}/status`)
      .set(...auth(manager))
      .send({ status, ...extra });
    if (res.status !== 200) throw new Error(`move to ${status}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Ticket;
  }

  /** Drives a fresh (NEW) ticket into `status` through legal transitions as a manager. */
  async function driveTo(ticket: Ticket, status: TicketStatus): Promise<Ticket> {
    const resolve = { resolution_notes: 'Fixed by restarting the service and clearing its cache.' };
    const paths: Record<TicketStatus, [TicketStatus, Record<string, unknown>?][]> = {
      [TicketStatus.NEW]: [],
      [TicketStatus.OPEN]: [[TicketStatus.OPEN]],
      [TicketStatus.IN_PROGRESS]: [[TicketStatus.IN_PROGRESS]],
      [TicketStatus.PENDING_INFO]: [[TicketStatus.OPEN], [TicketStatus.PENDING_INFO]],
      [TicketStatus.ESCALATED]: [[TicketStatus.IN_PROGRESS], [TicketStatus.ESCALATED]],
      [TicketStatus.RESOLVED]: [[TicketStatus.OPEN], [TicketStatus.RESOLVED, resolve]],
      [TicketStatus.CLOSED]: [[TicketStatus.CLOSED]],
      [TicketStatus.REOPENED]: [
        [TicketStatus.OPEN],
        [TicketStatus.RESOLVED, resolve],
        [TicketStatus.REOPENED, { notes: 'The problem came back this morning.' }],
      ],
    };
    let current = ticket;
    for (const [to, extra] of paths[status]) current = await moveTo(current, to, extra);
    expect(current.status).toBe(status);
    return current;
  }

  describe('collection envelope', () => {
    it('answers {items,total,page,page_size,pages} with defaults page 1 and page_size 20', async () => {
      const reporter = t.user(Role.END_USER);
      const created: Ticket[] = [];
      for (let i = 0; i < 21; i += 1) created.push(await create(reporter));

      const body = await list(manager, { reporter_id: reporter.id });
      expect(Object.keys(body).sort()).toEqual(['items', 'page', 'page_size', 'pages', 'total']);
      expect(body).toMatchObject({ total: 21, page: 1, page_size: 20, pages: 2 });
      expect(body.items).toHaveLength(20);

      const second = await list(manager, { reporter_id: reporter.id, page: 2 });
      expect(second).toMatchObject({ total: 21, page: 2, page_size: 20, pages: 2 });
      expect(second.items).toHaveLength(1);
      expect(new Set([...ids(body), ...ids(second)])).toEqual(new Set(created.map((ticket) => ticket.id)));
    });

    it('pages with an explicit page_size and answers an empty page past the end', async () => {
      const reporter = t.user(Role.END_USER);
      for (let i = 0; i < 3; i += 1) await create(reporter);

      const first = await list(manager, { reporter_id: reporter.id, page_size: 2 });
      expect(first).toMatchObject({ total: 3, page: 1, page_size: 2, pages: 2 });
      expect(first.items).toHaveLength(2);
      const second = await list(manager, { reporter_id: reporter.id, page_size: 2, page: 2 });
      expect(second).toMatchObject({ total: 3, page: 2, page_size: 2, pages: 2 });
      expect(second.items).toHaveLength(1);
      const beyond = await list(manager, { reporter_id: reporter.id, page_size: 2, page: 3 });
      expect(beyond).toEqual({ items: [], total: 3, page: 3, page_size: 2, pages: 2 });
      const max = await list(manager, { reporter_id: reporter.id, page_size: 100 });
      expect(max).toMatchObject({ total: 3, page: 1, page_size: 100, pages: 1 });
    });

    it('answers pages 0 when nothing matches', async () => {
      const nobody = t.user(Role.END_USER);
      const body = await list(manager, { reporter_id: nobody.id });
      expect(body).toEqual({ items: [], total: 0, page: 1, page_size: 20, pages: 0 });
    });

    it.each([
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['page_size=0', 'page_size'],
      ['page_size=101', 'page_size'],
      ['page_size=abc', 'page_size'],
    ])('rejects %s with VALIDATION_ERROR', async (query, field) => {
      await expectInvalid(manager, query, field);
    });
  });

  describe('query validation', () => {
    it.each([
      ['status=DONE', 'status'],
      ['status=OPEN&status=open', 'status'],
      ['priority=P5', 'priority'],
      ['category=BUG', 'category'],
      ['environment=PROD', 'environment'],
      ['impact_level=HUGE', 'impact_level'],
      ['sort_by=title', 'sort_by'],
      ['order=sideways', 'order'],
      ['assignee_id=bob', 'assignee_id'],
      ['reporter_id=alice', 'reporter_id'],
      ['team_id=ops', 'team_id'],
      ['created_after=yesterday', 'created_after'],
      ['created_before=2026-13-45T00:00:00Z', 'created_before'],
      ['updated_after=soon', 'updated_after'],
      ['sort_by=relevance', 'sort_by'],
      ['sort_by=relevance&order=desc', 'sort_by'],
    ])('rejects %s with VALIDATION_ERROR', async (query, field) => {
      await expectInvalid(manager, query, field);
    });

    it('rejects an unknown query parameter', async () => {
      await expectInvalid(manager, 'colour=red');
      await expectInvalid(manager, 'status=OPEN&per_page=5');
    });

    it('accepts q of 500 characters and rejects 501', async () => {
      // A 500-letter word is in no ticket: the answer is the empty envelope of spec §2.
      const body = await list(manager, { q: 'a'.repeat(500) });
      expect(body).toEqual({ items: [], total: 0, page: 1, page_size: 20, pages: 0 });
      await expectInvalid(manager, { q: 'a'.repeat(501) }, 'q');
    });
  });

  describe('repeatable filters: OR within one, AND across', () => {
    let reporter: TestUser;
    let t1: Ticket;
    let t2: Ticket;
    let t3: Ticket;
    let t4: Ticket;

    /** A fresh reporter's four tickets; every query below is scoped to that reporter. */
    beforeEach(async () => {
      reporter = t.user(Role.DEVOPS_ENGINEER);
      t1 = await create(reporter, {
        priority: TicketPriority.P1,
        category: TicketCategory.INCIDENT,
        environment: TicketEnvironment.PRODUCTION,
        impact_level: ImpactLevel.CRITICAL,
        tags: ['db'],
      });
      t2 = await create(reporter, {
        priority: TicketPriority.P2,
        category: TicketCategory.SERVICE_REQUEST,
        environment: TicketEnvironment.STAGING,
        impact_level: ImpactLevel.HIGH,
        tags: ['net'],
      });
      t3 = await create(reporter, {
        priority: TicketPriority.P3,
        category: TicketCategory.PROBLEM,
        environment: TicketEnvironment.DEVELOPMENT,
        impact_level: ImpactLevel.MEDIUM,
        tags: ['db', 'net'],
      });
      t4 = await create(reporter, {
        priority: TicketPriority.P4,
        category: TicketCategory.QUESTION,
        tags: ['misc'],
      });
      t2 = await driveTo(t2, TicketStatus.OPEN);
      t3 = await driveTo(t3, TicketStatus.IN_PROGRESS);
    });

    const scoped = async (query: Query): Promise<string[]> => {
      const body = await list(manager, { reporter_id: reporter.id, ...query });
      expect(body.total).toBe(body.items.length);
      return ids(body).sort();
    };
    const expectIds = (...tickets: Ticket[]): string[] => sortedIds(tickets);

    it('filters by status', async () => {
      expect(await scoped({ status: 'NEW' })).toEqual(expectIds(t1, t4));
      expect(await scoped({ status: ['NEW', 'OPEN'] })).toEqual(expectIds(t1, t2, t4));
      expect(await scoped({ status: ['IN_PROGRESS', 'OPEN'] })).toEqual(expectIds(t2, t3));
      expect(await scoped({ status: 'RESOLVED' })).toEqual([]);
    });

    it('filters by priority', async () => {
      expect(await scoped({ priority: 'P1' })).toEqual(expectIds(t1));
      expect(await scoped({ priority: ['P1', 'P3'] })).toEqual(expectIds(t1, t3));
      expect(await scoped({ priority: ['P2', 'P3', 'P4'] })).toEqual(expectIds(t2, t3, t4));
    });

    it('filters by category', async () => {
      expect(await scoped({ category: 'PROBLEM' })).toEqual(expectIds(t3));
      expect(await scoped({ category: ['INCIDENT', 'QUESTION'] })).toEqual(expectIds(t1, t4));
      expect(await scoped({ category: 'CHANGE_REQUEST' })).toEqual([]);
    });

    it('filters by environment', async () => {
      expect(await scoped({ environment: 'STAGING' })).toEqual(expectIds(t2));
      expect(await scoped({ environment: ['PRODUCTION', 'STAGING'] })).toEqual(expectIds(t1, t2));
      expect(await scoped({ environment: 'TESTING' })).toEqual([]);
    });

    it('filters by impact_level', async () => {
      expect(await scoped({ impact_level: 'HIGH' })).toEqual(expectIds(t2));
      expect(await scoped({ impact_level: ['CRITICAL', 'MEDIUM'] })).toEqual(expectIds(t1, t3));
      expect(await scoped({ impact_level: 'LOW' })).toEqual([]);
    });

    it('filters by tags', async () => {
      expect(await scoped({ tags: 'db' })).toEqual(expectIds(t1, t3));
      expect(await scoped({ tags: ['db', 'net'] })).toEqual(expectIds(t1, t2, t3));
      expect(await scoped({ tags: ['misc', 'net'] })).toEqual(expectIds(t2, t3, t4));
      expect(await scoped({ tags: 'nothing-tagged-so' })).toEqual([]);
    });

    it('ANDs different filters', async () => {
      expect(await scoped({ status: 'NEW', priority: 'P1' })).toEqual(expectIds(t1));
      expect(await scoped({ status: ['NEW', 'IN_PROGRESS'], tags: 'db' })).toEqual(expectIds(t1, t3));
      expect(await scoped({ tags: 'net', priority: ['P2', 'P3'], status: 'IN_PROGRESS', category: 'PROBLEM' })).toEqual(
        expectIds(t3),
      );
      expect(await scoped({ environment: ['PRODUCTION', 'DEVELOPMENT'], impact_level: ['MEDIUM', 'HIGH'] })).toEqual(
        expectIds(t3),
      );
      const none = await list(manager, { reporter_id: reporter.id, environment: 'STAGING', category: 'INCIDENT' });
      expect(none).toEqual({ items: [], total: 0, page: 1, page_size: 20, pages: 0 });
    });
  });

  describe('single-valued filters', () => {
    it('filters by assignee_id: a uuid, me, none', async () => {
      const tag = uniqueTag();
      const engineer = t.user(Role.DEVOPS_ENGINEER);
      const other = t.user(Role.DEVOPS_ENGINEER);
      const reporter = t.user(Role.END_USER);
      const mine = await create(reporter, { tags: [tag] });
      const theirs = await create(reporter, { tags: [tag] });
      const unassigned = await create(reporter, { tags: [tag] });
      for (const [ticket, assignee] of [
        [mine, engineer],
        [theirs, other],
      ] as const) {
        await t
          .http()
          .put(`/api/v1/tickets/${ticket.id}/assign`)
          .set(...auth(manager))
          .send({ assignee_id: assignee.id })
          .expect(200);
      }

      expect(ids(await list(engineer, { tags: tag, assignee_id: 'me' }))).toEqual([mine.id]);
      expect(ids(await list(other, { tags: tag, assignee_id: 'me' }))).toEqual([theirs.id]);
      expect(ids(await list(manager, { tags: tag, assignee_id: 'me' }))).toEqual([]);
      expect(ids(await list(manager, { tags: tag, assignee_id: engineer.id }))).toEqual([mine.id]);
      expect(ids(await list(manager, { tags: tag, assignee_id: other.id }))).toEqual([theirs.id]);
      expect(ids(await list(manager, { tags: tag, assignee_id: 'none' }))).toEqual([unassigned.id]);
      await expectInvalid(manager, { tags: tag, assignee_id: 'bob' }, 'assignee_id');
    });

    it('filters by reporter_id', async () => {
      const tag = uniqueTag();
      const alice = t.user(Role.END_USER);
      const bob = t.user(Role.DEVOPS_ENGINEER);
      const a1 = await create(alice, { tags: [tag] });
      const a2 = await create(alice, { tags: [tag] });
      const b1 = await create(bob, { tags: [tag] });

      expect(ids(await list(manager, { tags: tag, reporter_id: alice.id })).sort()).toEqual(sortedIds([a1, a2]));
      expect(ids(await list(manager, { tags: tag, reporter_id: bob.id }))).toEqual([b1.id]);
      const everyone = await list(manager, { tags: tag });
      expect(everyone.total).toBe(3);
    });

    it('filters by team_id', async () => {
      const tag = uniqueTag();
      const reporter = t.user(Role.DEVOPS_ENGINEER);
      const database = await createTeam(t, manager, `Databases ${tag}`);
      const network = await createTeam(t, manager, `Network ${tag}`);
      const d1 = await create(reporter, { tags: [tag], team_id: database.id });
      const d2 = await create(reporter, { tags: [tag], team_id: database.id });
      const n1 = await create(reporter, { tags: [tag], team_id: network.id });
      await create(reporter, { tags: [tag] });

      expect(ids(await list(manager, { tags: tag, team_id: database.id })).sort()).toEqual(sortedIds([d1, d2]));
      expect(ids(await list(manager, { tags: tag, team_id: network.id }))).toEqual([n1.id]);
      expect((await list(manager, { tags: tag, team_id: randomUUID() })).total).toBe(0);
    });

    it('filters by created_after (inclusive) and created_before (exclusive)', async () => {
      const tag = uniqueTag();
      const reporter = t.user(Role.END_USER);
      const early = await ticketAt(reporter, at(0), { tags: [tag] });
      const middle = await ticketAt(reporter, at(HOUR), { tags: [tag] });
      const late = await ticketAt(reporter, at(2 * HOUR), { tags: [tag] });
      expect(middle.created_at).toBe(at(HOUR).toISOString());
      const iso = (offset: number) => at(offset).toISOString();

      expect(ids(await list(manager, { tags: tag, created_after: iso(HOUR) })).sort()).toEqual(
        sortedIds([middle, late]),
      );
      expect(ids(await list(manager, { tags: tag, created_after: iso(HOUR + 1) }))).toEqual([late.id]);
      expect(ids(await list(manager, { tags: tag, created_before: iso(HOUR) }))).toEqual([early.id]);
      expect(ids(await list(manager, { tags: tag, created_before: iso(HOUR + 1) })).sort()).toEqual(
        sortedIds([early, middle]),
      );
      expect(ids(await list(manager, { tags: tag, created_after: iso(HOUR), created_before: iso(2 * HOUR) }))).toEqual([
        middle.id,
      ]);
      expect((await list(manager, { tags: tag, created_after: iso(3 * HOUR) })).total).toBe(0);
    });

    it('filters by updated_after (inclusive)', async () => {
      const tag = uniqueTag();
      const reporter = t.user(Role.END_USER);
      const untouched = await ticketAt(reporter, at(0), { tags: [tag] });
      const edited = await ticketAt(reporter, at(0), { tags: [tag] });
      t.setNow(at(3 * HOUR));
      const patched = await t
        .http()
        .patch(`/api/v1/tickets/${edited.id}`)
        .set(...auth(manager))
        .send({ title: 'Edited title of the ticket' })
        .expect(200);
      expect(patched.body.updated_at).toBe(at(3 * HOUR).toISOString());
      const iso = (offset: number) => at(offset).toISOString();

      expect(ids(await list(manager, { tags: tag, updated_after: iso(3 * HOUR) }))).toEqual([edited.id]);
      expect(ids(await list(manager, { tags: tag, updated_after: iso(HOUR) }))).toEqual([edited.id]);
      expect(ids(await list(manager, { tags: tag, updated_after: iso(0) })).sort()).toEqual(
        sortedIds([untouched, edited]),
      );
      expect((await list(manager, { tags: tag, updated_after: iso(3 * HOUR + 1) })).total).toBe(0);
    });
  });

  describe('sla_breached', () => {
    it('agrees with each ticket’s response_breached / resolution_breached', async () => {
      const tag = uniqueTag();
      const reporter = t.user(Role.END_USER);
      // P1: 1 h response, 4 h resolution (spec §6).
      const responseLate = await ticketAt(reporter, at(0), { tags: [tag], priority: TicketPriority.P1 });
      const answered = await ticketAt(reporter, at(0), { tags: [tag], priority: TicketPriority.P1 });
      const relaxed = await ticketAt(reporter, at(0), { tags: [tag], priority: TicketPriority.P4 });
      const bothLate = await ticketAt(reporter, at(-5 * HOUR), { tags: [tag], priority: TicketPriority.P1 });
      // Assigning a NEW ticket moves it to OPEN: the first response, 30 minutes in.
      t.setNow(at(30 * MINUTE));
      await t
        .http()
        .put(`/api/v1/tickets/${answered.id}/assign`)
        .set(...auth(manager))
        .send({ assignee_id: t.user(Role.DEVOPS_ENGINEER).id })
        .expect(200);

      t.setNow(at(2 * HOUR));
      const breached = await list(manager, { tags: tag, sla_breached: true });
      expect(ids(breached).sort()).toEqual(sortedIds([responseLate, bothLate]));
      const byId = new Map(breached.items.map((ticket) => [ticket.id, ticket]));
      expect(byId.get(responseLate.id)).toMatchObject({ response_breached: true, resolution_breached: false });
      expect(byId.get(bothLate.id)).toMatchObject({ response_breached: true, resolution_breached: true });

      const healthy = await list(manager, { tags: tag, sla_breached: false });
      expect(ids(healthy).sort()).toEqual(sortedIds([answered, relaxed]));
      for (const ticket of healthy.items) {
        expect(ticket).toMatchObject({ response_breached: false, resolution_breached: false });
      }

      // Every ticket of the unfiltered list sits on the side of the filter its own flags say.
      const all = await list(manager, { tags: tag });
      expect(all.total).toBe(4);
      for (const ticket of all.items) {
        const isBreached = ticket.response_breached || ticket.resolution_breached;
        expect(isBreached ? ids(breached) : ids(healthy)).toContain(ticket.id);
      }

      // Earlier, only the ticket opened five hours before was late.
      t.setNow(at(45 * MINUTE));
      expect(ids(await list(manager, { tags: tag, sla_breached: true }))).toEqual([bothLate.id]);
    });

    it('rejects sla_breached=maybe', async () => {
      await expectInvalid(manager, { sla_breached: 'maybe' }, 'sla_breached');
    });
  });

  describe('full-text search (q)', () => {
    let tag: string;
    let kafka: Ticket;
    let mainframe: Ticket;
    let diskApart: Ticket;
    let diskFull: Ticket;

    beforeEach(async () => {
      tag = uniqueTag();
      const reporter = t.user(Role.DEVOPS_ENGINEER);
      kafka = await create(reporter, {
        tags: [tag],
        title: 'Kafka broker unreachable',
        description: 'The consumers lost their connection this morning.',
      });
      mainframe = await create(reporter, {
        tags: [tag],
        title: 'Printer jammed again',
        description: 'The mainframe printer in room 4 is jammed with paper.',
      });
      diskApart = await create(reporter, {
        tags: [tag],
        title: 'Storage warning on laptop',
        description: 'The disk of my laptop is almost full of photos.',
      });
      diskFull = await create(reporter, {
        tags: [tag],
        title: 'Build agent stopped',
        description: 'Disk full on the build agent since the nightly job.',
      });
    });

    const search = async (q: string): Promise<string[]> => {
      const body = await list(manager, { tags: tag, q });
      expect(body.total).toBe(body.items.length);
      return ids(body).sort();
    };

    it('finds a word of the title', async () => {
      expect(await search('kafka')).toEqual([kafka.id]);
      expect(await search('Printer')).toEqual([mainframe.id]);
    });

    it('finds a word that is only in the description', async () => {
      expect(await search('mainframe')).toEqual([mainframe.id]);
      expect(await search('consumers')).toEqual([kafka.id]);
    });

    it('matches a "quoted phrase" only where the words are adjacent', async () => {
      expect(await search('disk full')).toEqual(sortedIds([diskApart, diskFull]));
      expect(await search('"disk full"')).toEqual([diskFull.id]);
    });

    it('excludes -word', async () => {
      expect(await search('disk -agent')).toEqual([diskApart.id]);
      expect(await search('disk -laptop')).toEqual([diskFull.id]);
    });

    it('combines alternatives with or', async () => {
      expect(await search('kafka or mainframe')).toEqual(sortedIds([kafka, mainframe]));
      expect(await search('kafka mainframe')).toEqual([]);
    });

    it('finds nothing for a word in no ticket', async () => {
      const body = await list(manager, { tags: tag, q: 'zeppelin' });
      expect(body).toEqual({ items: [], total: 0, page: 1, page_size: 20, pages: 0 });
    });

    it('orders the better match first with sort_by=relevance', async () => {
      const weak = await create(t.user(Role.END_USER), {
        tags: [tag],
        title: 'Weekly capacity report',
        description: 'The report mentions redis once, in a footnote about caches.',
      });
      const strong = await create(t.user(Role.END_USER), {
        tags: [tag],
        title: 'Redis cluster failover',
        description: 'Redis failed over twice tonight; every redis replica is lagging.',
      });
      const desc = await list(manager, { tags: tag, q: 'redis', sort_by: 'relevance', order: 'desc' });
      expect(ids(desc)).toEqual([strong.id, weak.id]);
      const asc = await list(manager, { tags: tag, q: 'redis', sort_by: 'relevance', order: 'asc' });
      expect(ids(asc)).toEqual([weak.id, strong.id]);
    });
  });

  describe('sort_by', () => {
    const sorted = async (reporter: TestUser, sortBy: string, order: 'asc' | 'desc'): Promise<string[]> =>
      ids(await list(manager, { reporter_id: reporter.id, sort_by: sortBy, order }));
    const expectOrder = async (reporter: TestUser, sortBy: string, ascending: Ticket[]) => {
      const ascIds = ascending.map((ticket) => ticket.id);
      expect(await sorted(reporter, sortBy, 'asc')).toEqual(ascIds);
      expect(await sorted(reporter, sortBy, 'desc')).toEqual([...ascIds].reverse());
    };

    it('sorts by created_at', async () => {
      const reporter = t.user(Role.END_USER);
      const second = await ticketAt(reporter, at(2 * MINUTE));
      const first = await ticketAt(reporter, at(MINUTE));
      const third = await ticketAt(reporter, at(3 * MINUTE));
      await expectOrder(reporter, 'created_at', [first, second, third]);
    });

    it('sorts by updated_at', async () => {
      const reporter = t.user(Role.END_USER);
      const a = await ticketAt(reporter, at(0));
      const b = await ticketAt(reporter, at(MINUTE));
      const c = await ticketAt(reporter, at(2 * MINUTE));
      t.setNow(at(10 * MINUTE));
      await t
        .http()
        .patch(`/api/v1/tickets/${a.id}`)
        .set(...auth(manager))
        .send({ priority: TicketPriority.P2 })
        .expect(200);
      t.setNow(null);
      await expectOrder(reporter, 'updated_at', [b, c, a]);
    });

    it('sorts by priority, asc meaning P1 first', async () => {
      const reporter = t.user(Role.END_USER);
      const p3 = await ticketAt(reporter, at(0), { priority: TicketPriority.P3 });
      const p1 = await ticketAt(reporter, at(MINUTE), { priority: TicketPriority.P1 });
      const p4 = await ticketAt(reporter, at(2 * MINUTE), { priority: TicketPriority.P4 });
      const p2 = await ticketAt(reporter, at(3 * MINUTE), { priority: TicketPriority.P2 });
      await expectOrder(reporter, 'priority', [p1, p2, p3, p4]);
    });

    it('sorts by status in workflow order', async () => {
      const reporter = t.user(Role.END_USER);
      const byStatus = new Map<TicketStatus, Ticket>();
      // Created in an order unrelated to the workflow so creation time cannot explain the result.
      const creationOrder = [5, 2, 7, 0, 3, 6, 1, 4].map((index) => WORKFLOW_ORDER[index]);
      for (const [i, status] of creationOrder.entries()) {
        byStatus.set(status, await driveTo(await ticketAt(reporter, at(i * MINUTE)), status));
      }
      await expectOrder(
        reporter,
        'status',
        WORKFLOW_ORDER.map((status) => byStatus.get(status)!),
      );
    });

    it('sorts by response_due_at and resolution_due_at', async () => {
      const reporter = t.user(Role.END_USER);
      // response due: a +4 h, b +6 h, c +9 h; resolution due: b +9 h, a +24 h, c +73 h.
      const c = await ticketAt(reporter, at(HOUR), { priority: TicketPriority.P3 });
      const a = await ticketAt(reporter, at(0), { priority: TicketPriority.P2 });
      const b = await ticketAt(reporter, at(5 * HOUR), { priority: TicketPriority.P1 });
      expect(a.response_due_at).toBe(at(4 * HOUR).toISOString());
      await expectOrder(reporter, 'response_due_at', [a, b, c]);
      await expectOrder(reporter, 'resolution_due_at', [b, a, c]);
    });

    it('sorts by ticket_number', async () => {
      const reporter = t.user(Role.END_USER);
      // Created later but at earlier instants, so ticket_number order is the reverse of created_at order.
      const first = await ticketAt(reporter, at(2 * MINUTE));
      const second = await ticketAt(reporter, at(MINUTE));
      const third = await ticketAt(reporter, at(0));
      await expectOrder(reporter, 'ticket_number', [first, second, third]);
    });
  });

  describe('pagination stability', () => {
    it.each(['asc', 'desc'] as const)(
      'walks pages of 7 sorted by priority %s without repeats or gaps when created_at ties',
      async (order) => {
        const tag = uniqueTag();
        const reporter = t.user(Role.DEVOPS_ENGINEER);
        const priorities = [TicketPriority.P1, TicketPriority.P2, TicketPriority.P3, TicketPriority.P4];
        t.setNow(at(0));
        const created: Ticket[] = [];
        for (let i = 0; i < 25; i += 1) {
          created.push(await create(reporter, { tags: [tag], priority: priorities[i % 4] }));
        }
        t.setNow(null);
        expect(new Set(created.map((ticket) => ticket.created_at)).size).toBe(1);

        const walked: Ticket[] = [];
        for (let page = 1; page <= 4; page += 1) {
          const body = await list(manager, { tags: tag, sort_by: 'priority', order, page, page_size: 7 });
          expect(body).toMatchObject({ total: 25, page, page_size: 7, pages: 4 });
          expect(body.items).toHaveLength(page < 4 ? 7 : 4);
          walked.push(...body.items);
        }
        const walkedIds = walked.map((ticket) => ticket.id);
        expect(new Set(walkedIds).size).toBe(25);
        expect([...walkedIds].sort()).toEqual(sortedIds(created));

        const sign = order === 'asc' ? 1 : -1;
        for (let i = 1; i < walked.length; i += 1) {
          const step = sign * (PRIORITY_RANK[walked[i].priority] - PRIORITY_RANK[walked[i - 1].priority]);
          expect(step).toBeGreaterThanOrEqual(0);
          // Ties (same priority, same created_at) break on id.
          if (step === 0) expect(walked[i].id > walked[i - 1].id).toBe(true);
        }
      },
    );
  });

  describe('the seed example URL', () => {
    it('works verbatim', async () => {
      const reporter = t.user(Role.END_USER);
      const wanted: Ticket[] = [];
      const make = async (priority: TicketPriority, status: TicketStatus, when: number) =>
        driveTo(await ticketAt(reporter, at(when * MINUTE), { priority }), status);
      wanted.push(await make(TicketPriority.P2, TicketStatus.OPEN, 0));
      wanted.push(await make(TicketPriority.P1, TicketStatus.IN_PROGRESS, 1));
      wanted.push(await make(TicketPriority.P2, TicketStatus.IN_PROGRESS, 2));
      wanted.push(await make(TicketPriority.P1, TicketStatus.OPEN, 3));
      await make(TicketPriority.P3, TicketStatus.OPEN, 4);
      await make(TicketPriority.P1, TicketStatus.NEW, 5);
      await make(TicketPriority.P1, TicketStatus.RESOLVED, 6);

      const seedUrl =
        '/api/v1/tickets?status=OPEN&status=IN_PROGRESS&priority=P1&priority=P2&sort_by=priority&order=asc';
      const res = await t
        .http()
        .get(seedUrl)
        .set(...auth(manager))
        .expect(200);
      const body = res.body as Page;
      expect(body.items.length).toBeGreaterThan(0);
      expect(body.total).toBeGreaterThanOrEqual(wanted.length);
      for (const ticket of body.items) {
        expect(['OPEN', 'IN_PROGRESS']).toContain(ticket.status);
        expect(['P1', 'P2']).toContain(ticket.priority);
      }
      const ranks = body.items.map((ticket) => PRIORITY_RANK[ticket.priority]);
      expect(ranks).toEqual([...ranks].sort());

      // The same query scoped to this test's reporter: exactly its four matching tickets, P1 before P2.
      const mine = await t
        .http()
        .get(`${seedUrl}&reporter_id=${reporter.id}`)
        .set(...auth(manager))
        .expect(200);
      const minePage = mine.body as Page;
      expect(minePage.total).toBe(4);
      expect(minePage.items.map((ticket) => ticket.priority)).toEqual(['P1', 'P1', 'P2', 'P2']);
      expect(ids(minePage).sort()).toEqual(sortedIds(wanted));
    });
  });

  describe('visibility', () => {
    it('shows an END_USER only the tickets they reported, also with filters', async () => {
      const tag = uniqueTag();
      const alice = t.user(Role.END_USER);
      const bob = t.user(Role.END_USER);
      const aliceUrgent = await create(alice, {
        tags: [tag],
        priority: TicketPriority.P1,
        title: 'Payroll export fails',
      });
      const aliceLow = await create(alice, { tags: [tag], priority: TicketPriority.P4 });
      const bobUrgent = await create(bob, {
        tags: [tag],
        priority: TicketPriority.P1,
        title: 'Payroll screen blank',
      });

      const own = await list(alice, { tags: tag });
      expect(own.total).toBe(2);
      expect(ids(own).sort()).toEqual(sortedIds([aliceUrgent, aliceLow]));
      expect(ids(await list(alice, { tags: tag, priority: 'P1' }))).toEqual([aliceUrgent.id]);
      expect(ids(await list(alice, { tags: tag, q: 'payroll' }))).toEqual([aliceUrgent.id]);
      expect(ids(await list(alice, { tags: tag, assignee_id: 'none' })).sort()).toEqual(
        sortedIds([aliceUrgent, aliceLow]),
      );
      expect(ids(await list(bob, { tags: tag, priority: ['P1', 'P4'] }))).toEqual([bobUrgent.id]);

      const peeking = await list(alice, { tags: tag, reporter_id: bob.id });
      expect(peeking).toEqual({ items: [], total: 0, page: 1, page_size: 20, pages: 0 });

      const staff = await list(t.user(Role.DEVOPS_ENGINEER), { tags: tag });
      expect(staff.total).toBe(3);
    });

    it('never lists soft-deleted tickets', async () => {
      const tag = uniqueTag();
      const reporter = t.user(Role.END_USER);
      const kept = await create(reporter, {
        tags: [tag],
        priority: TicketPriority.P1,
        title: 'Gateway timeout on checkout',
      });
      const deleted = await create(reporter, {
        tags: [tag],
        priority: TicketPriority.P1,
        title: 'Gateway timeout on login',
      });
      await t
        .http()
        .delete(`/api/v1/tickets/${deleted.id}`)
        .set(...auth(admin))
        .expect(204);

      for (const user of [admin, manager, reporter]) {
        const body = await list(user, { tags: tag });
        expect(body).toMatchObject({ total: 1, pages: 1 });
        expect(ids(body)).toEqual([kept.id]);
      }
      expect(ids(await list(admin, { tags: tag, q: 'gateway' }))).toEqual([kept.id]);
      expect(ids(await list(admin, { reporter_id: reporter.id, priority: 'P1', status: 'NEW' }))).toEqual([kept.id]);
      expect(ids(await list(admin, { q: 'login gateway' }))).not.toContain(deleted.id);
      expect(ids(await list(admin, { reporter_id: reporter.id, sort_by: 'priority', order: 'asc' }))).toEqual([
        kept.id,
      ]);
    });
  });
});
