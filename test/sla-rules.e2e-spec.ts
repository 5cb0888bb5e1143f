import { randomUUID } from 'node:crypto';
import { DEFAULT_SLA_TARGETS, type SlaTarget, TicketCategory, TicketPriority } from '@ticketing/contracts';
import fc from 'fast-check';
import { Client } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  RESOLUTION_BREACHED_SQL,
  RESOLUTION_WARNING_SQL,
  RESPONSE_BREACHED_SQL,
  RESPONSE_WARNING_SQL,
} from '../apps/ticket-service/src/modules/sla/sla-breach.sql';
import { ROUND_THE_CLOCK } from '../apps/ticket-service/src/modules/sla/business-time';
import {
  computeBreaches,
  computeDueDates,
  computeWarnings,
} from '../apps/ticket-service/src/modules/sla/sla-calculator';
import { itOnPostgres } from './support/conditions';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The list filter and the breach scanner decide in SQL what the ticket read model decides in TypeScript; both
 * must flag the same tickets. Random tickets go into the real `tickets` table and the four SQL rules, with `:now`
 * bound as the service binds it, are compared with computeBreaches / computeWarnings.
 *
 * Deterministic by default; FC_SEED and FC_RUNS explore further, e.g. `FC_RUNS=5000 FC_SEED=42 npm test -- test/sla-rules`.
 */
const FC_SEED = Number(process.env.FC_SEED ?? 20_260_504);
const FC_RUNS = Number(process.env.FC_RUNS ?? 200);
/** Tickets per property run: one INSERT and one SELECT per batch keep a run at a few milliseconds. */
const MAX_BATCH = 100;
/** Generous: a run of 100 tickets takes 20–35 ms (PGlite the slower), so 200 runs need under 10 s. */
const PROPERTY_TIMEOUT_MS = Math.max(120_000, FC_RUNS * 500);

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The largest target the policy API accepts (one year), see UpdateSlaPolicyDto. */
const MAX_TARGET_MINUTES = 525_600;
/** Two years of creation times, so the clocks cross month ends, leap days and daylight-saving transitions. */
const CREATED_FROM = Date.UTC(2026, 0, 1);
const CREATED_UNTIL = Date.UTC(2028, 0, 1);
/** A time zone with daylight saving time, for the database default of the time zone property. */
const DST_TIME_ZONE = 'Europe/Berlin';

/** One generated ticket and the instant at which its SLA flags are asked for. */
interface TicketCase {
  priority: TicketPriority;
  target: SlaTarget;
  createdAt: Date;
  resolutionClockStartedAt: Date;
  pausedSeconds: number;
  pendingSince: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  responseWarningAt: Date | null;
  resolutionWarningAt: Date | null;
  now: Date;
}

interface SlaFlags {
  responseBreached: boolean;
  resolutionBreached: boolean;
  responseWarning: boolean;
  resolutionWarning: boolean;
}

const FLAG_NAMES = ['responseBreached', 'resolutionBreached', 'responseWarning', 'resolutionWarning'] as const;

/**
 * A millisecond offset from an instant that matters (a due date, a warning threshold, …): the exact instant and
 * its millisecond neighbours most often, then ever wider. Shrinks towards the instant itself.
 */
const offsetMs = fc.oneof(
  fc.constantFrom(0, -1, 1),
  fc.integer({ min: -SECOND_MS, max: SECOND_MS }),
  fc.integer({ min: -HOUR_MS, max: HOUR_MS }),
  fc.integer({ min: -30 * DAY_MS, max: 30 * DAY_MS }),
);

/** The instants a ticket's `now`, pause start, first response and resolution are placed around. */
type Landmark =
  | 'createdAt'
  | 'resolutionClockStartedAt'
  | 'responseDueAt'
  | 'responseWarningAt'
  | 'resolutionDueAt'
  | 'resolutionWarningAt'
  | 'pendingSince'
  | 'firstResponseAt'
  | 'resolvedAt';

const NOW_LANDMARKS: readonly Landmark[] = [
  'responseDueAt',
  'responseWarningAt',
  'resolutionDueAt',
  'resolutionWarningAt',
  'pendingSince',
  'firstResponseAt',
  'resolvedAt',
  'createdAt',
  'resolutionClockStartedAt',
];

/** A custom policy target, response ≤ resolution as the policy API requires. */
const customTarget = fc
  .tuple(fc.integer({ min: 1, max: MAX_TARGET_MINUTES }), fc.integer({ min: 1, max: MAX_TARGET_MINUTES }))
  .map(([a, b]): SlaTarget => ({ responseMinutes: Math.min(a, b), resolutionMinutes: Math.max(a, b) }));

const ticketCase: fc.Arbitrary<TicketCase> = fc
  .record({
    priority: fc.constantFrom(...Object.values(TicketPriority)),
    /** null: the priority's default target. */
    customTarget: fc.option(customTarget, { nil: null }),
    createdAtMs: fc.integer({ min: CREATED_FROM, max: CREATED_UNTIL }),
    /** null: never reopened; else the resolution clock restarted this long after creation. */
    reopenedAfterMs: fc.option(fc.integer({ min: 0, max: 60 * DAY_MS }), { nil: null }),
    pausedSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 * 24 * 3600 })),
    /** The due date columns are nullable, and both rules treat NULL as "no target". */
    storesDueDates: fc.oneof(
      { arbitrary: fc.constant(true), weight: 19 },
      { arbitrary: fc.constant(false), weight: 1 },
    ),
    pending: fc.option(
      fc.record({
        around: fc.constantFrom<Landmark>('resolutionClockStartedAt', 'resolutionWarningAt', 'resolutionDueAt'),
        offset: offsetMs,
      }),
      { nil: null },
    ),
    firstResponseOffset: fc.option(offsetMs, { nil: null }),
    resolvedOffset: fc.option(offsetMs, { nil: null }),
    now: fc.record({ around: fc.constantFrom(...NOW_LANDMARKS), offset: offsetMs }),
  })
  .map((raw): TicketCase => {
    const target = raw.customTarget ?? DEFAULT_SLA_TARGETS[raw.priority];
    const createdAt = new Date(raw.createdAtMs);
    const resolutionClockStartedAt = new Date(raw.createdAtMs + (raw.reopenedAfterMs ?? 0));
    // The completed pauses lie between the clock start and whatever happens next on the resolution clock.
    const pausesEndMs = resolutionClockStartedAt.getTime() + raw.pausedSeconds * SECOND_MS;
    const due = computeDueDates(
      { createdAt, resolutionClockStartedAt, pausedSeconds: raw.pausedSeconds, pendingSince: null },
      target,
      ROUND_THE_CLOCK,
    );
    const landmarks: Record<Landmark, number | null> = {
      createdAt: createdAt.getTime(),
      resolutionClockStartedAt: resolutionClockStartedAt.getTime(),
      responseDueAt: due.responseDueAt.getTime(),
      responseWarningAt: due.responseWarningAt.getTime(),
      resolutionDueAt: due.resolutionDueAt.getTime(),
      resolutionWarningAt: due.resolutionWarningAt.getTime(),
      pendingSince: null,
      firstResponseAt: null,
      resolvedAt: null,
    };
    const at = (around: Landmark, offset: number) => (landmarks[around] ?? landmarks.responseDueAt!) + offset;
    // Only states the workflow can reach: a response after creation, a pause or resolution after the completed
    // pauses, `now` after all of those; an event scheduled after `now` has not happened yet.
    landmarks.pendingSince = raw.pending && Math.max(pausesEndMs, at(raw.pending.around, raw.pending.offset));
    landmarks.firstResponseAt =
      raw.firstResponseOffset === null
        ? null
        : Math.max(createdAt.getTime(), at('responseDueAt', raw.firstResponseOffset));
    landmarks.resolvedAt =
      raw.resolvedOffset === null ? null : Math.max(pausesEndMs, at('resolutionDueAt', raw.resolvedOffset));
    const nowMs = Math.max(pausesEndMs, at(raw.now.around, raw.now.offset));
    const happened = (ms: number | null) => (ms !== null && ms <= nowMs ? new Date(ms) : null);
    const resolvedAt = happened(landmarks.resolvedAt);
    return {
      priority: raw.priority,
      target,
      createdAt,
      resolutionClockStartedAt,
      pausedSeconds: raw.pausedSeconds,
      // Resolving ends a pause.
      pendingSince: resolvedAt ? null : happened(landmarks.pendingSince),
      firstResponseAt: happened(landmarks.firstResponseAt),
      resolvedAt,
      responseDueAt: raw.storesDueDates ? due.responseDueAt : null,
      resolutionDueAt: raw.storesDueDates ? due.resolutionDueAt : null,
      responseWarningAt: raw.storesDueDates ? due.responseWarningAt : null,
      resolutionWarningAt: raw.storesDueDates ? due.resolutionWarningAt : null,
      now: new Date(nowMs),
    };
  });

function flagsInTypeScript(ticket: TicketCase): SlaFlags {
  const breaches = computeBreaches(ticket, ticket.now);
  const warnings = computeWarnings(ticket, ticket.now);
  return {
    responseBreached: breaches.response,
    resolutionBreached: breaches.resolution,
    responseWarning: warnings.response,
    resolutionWarning: warnings.resolution,
  };
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** What the ticket's status would be in the workflow; the SLA rules do not read it, the row just looks real. */
function statusOf(ticket: TicketCase): string {
  if (ticket.resolvedAt) return 'RESOLVED';
  if (ticket.pendingSince) return 'PENDING_INFO';
  if (ticket.resolutionClockStartedAt.getTime() > ticket.createdAt.getTime()) return 'REOPENED';
  return ticket.firstResponseAt ? 'IN_PROGRESS' : 'NEW';
}

const INSERT_TICKETS_SQL = `
  INSERT INTO tickets (id, title, description, category, reporter_id, priority, status, reopen_count, created_at,
    resolution_clock_started_at, paused_seconds, pending_since, first_response_at, resolved_at, response_due_at,
    resolution_due_at, response_warning_at, resolution_warning_at)
  SELECT c.id, 'Generated SLA case', 'A ticket generated by the SLA rules property test.', $1, $2, c.priority,
    c.status, c.reopen_count, c.created_at, c.resolution_clock_started_at, c.paused_seconds, c.pending_since,
    c.first_response_at, c.resolved_at, c.response_due_at, c.resolution_due_at, c.response_warning_at,
    c.resolution_warning_at
  FROM unnest($3::uuid[], $4::varchar[], $5::varchar[], $6::int[], $7::timestamptz[], $8::timestamptz[], $9::int[],
    $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
    $15::timestamptz[], $16::timestamptz[])
    AS c(id, priority, status, reopen_count, created_at, resolution_clock_started_at, paused_seconds, pending_since,
      first_response_at, resolved_at, response_due_at, resolution_due_at, response_warning_at, resolution_warning_at)`;

async function insertTickets(runner: QueryRunner, reporterId: string, tickets: TicketCase[]): Promise<string[]> {
  const ids = tickets.map(() => randomUUID());
  await runner.query(INSERT_TICKETS_SQL, [
    TicketCategory.INCIDENT,
    reporterId,
    ids,
    tickets.map((ticket) => ticket.priority),
    tickets.map(statusOf),
    tickets.map((ticket) => (statusOf(ticket) === 'REOPENED' ? 1 : 0)),
    tickets.map((ticket) => iso(ticket.createdAt)),
    tickets.map((ticket) => iso(ticket.resolutionClockStartedAt)),
    tickets.map((ticket) => ticket.pausedSeconds),
    tickets.map((ticket) => iso(ticket.pendingSince)),
    tickets.map((ticket) => iso(ticket.firstResponseAt)),
    tickets.map((ticket) => iso(ticket.resolvedAt)),
    tickets.map((ticket) => iso(ticket.responseDueAt)),
    tickets.map((ticket) => iso(ticket.resolutionDueAt)),
    tickets.map((ticket) => iso(ticket.responseWarningAt)),
    tickets.map((ticket) => iso(ticket.resolutionWarningAt)),
  ]);
  return ids;
}

interface SqlFlagsRow {
  case_index: number;
  response_breached: boolean;
  resolution_breached: boolean;
  response_warning: boolean;
  resolution_warning: boolean;
}

/**
 * The four product expressions for every stored ticket, in one statement. Each ticket has its own `now`, so each
 * gets its own UNION ALL branch with `:now` renamed to that ticket's parameter; TypeORM then binds the Date exactly
 * as the scanner and the list filter bind theirs.
 */
async function flagsInSql(runner: QueryRunner, ids: string[], tickets: TicketCase[]): Promise<SlaFlags[]> {
  const parameters: Record<string, unknown> = {};
  const branches = tickets.map((ticket, index) => {
    parameters[`id${index}`] = ids[index];
    parameters[`now${index}`] = ticket.now;
    const bound = (sql: string) => sql.replace(/:now\b/g, `:now${index}`);
    return `SELECT ${index} AS case_index,
      ${bound(RESPONSE_BREACHED_SQL)} AS response_breached,
      ${bound(RESOLUTION_BREACHED_SQL)} AS resolution_breached,
      ${bound(RESPONSE_WARNING_SQL)} AS response_warning,
      ${bound(RESOLUTION_WARNING_SQL)} AS resolution_warning
      FROM tickets t WHERE t.id = :id${index}`;
  });
  const [query, values] = runner.connection.driver.escapeQueryWithParameters(
    `${branches.join('\nUNION ALL\n')}\nORDER BY case_index`,
    parameters,
  );
  const rows = (await runner.query(query, values)) as SqlFlagsRow[];
  expect(rows.map((row) => row.case_index)).toEqual(tickets.map((_, index) => index));
  return rows.map((row) => ({
    responseBreached: row.response_breached,
    resolutionBreached: row.resolution_breached,
    responseWarning: row.response_warning,
    resolutionWarning: row.resolution_warning,
  }));
}

/** How often each flag came out true and false, and how often `now` sat exactly on a boundary. */
interface Coverage {
  cases: number;
  flagTrue: Record<keyof SlaFlags, number>;
  flagFalse: Record<keyof SlaFlags, number>;
  nowAtResponseDue: number;
  nowAtResolutionDue: number;
  nowAtResponseWarning: number;
  nowAtResolutionWarning: number;
}

function emptyCoverage(): Coverage {
  const zeros = () => ({ responseBreached: 0, resolutionBreached: 0, responseWarning: 0, resolutionWarning: 0 });
  return {
    cases: 0,
    flagTrue: zeros(),
    flagFalse: zeros(),
    nowAtResponseDue: 0,
    nowAtResolutionDue: 0,
    nowAtResponseWarning: 0,
    nowAtResolutionWarning: 0,
  };
}

function record(coverage: Coverage, ticket: TicketCase, flags: SlaFlags): void {
  coverage.cases += 1;
  for (const name of FLAG_NAMES) (flags[name] ? coverage.flagTrue : coverage.flagFalse)[name] += 1;
  const now = ticket.now.getTime();
  if (ticket.responseDueAt === null || ticket.resolutionDueAt === null) return;
  if (now === ticket.responseDueAt.getTime()) coverage.nowAtResponseDue += 1;
  if (now === ticket.resolutionDueAt.getTime()) coverage.nowAtResolutionDue += 1;
  if (now === ticket.responseWarningAt?.getTime()) coverage.nowAtResponseWarning += 1;
  if (now === ticket.resolutionWarningAt?.getTime()) coverage.nowAtResolutionWarning += 1;
}

function describeTicket(ticket: TicketCase): string {
  return JSON.stringify(
    {
      now: iso(ticket.now),
      priority: ticket.priority,
      target: ticket.target,
      created_at: iso(ticket.createdAt),
      resolution_clock_started_at: iso(ticket.resolutionClockStartedAt),
      paused_seconds: ticket.pausedSeconds,
      pending_since: iso(ticket.pendingSince),
      first_response_at: iso(ticket.firstResponseAt),
      resolved_at: iso(ticket.resolvedAt),
      response_due_at: iso(ticket.responseDueAt),
      resolution_due_at: iso(ticket.resolutionDueAt),
    },
    null,
    2,
  );
}

/**
 * Runs the property against the app's database; throws, after shrinking, with the smallest ticket on which the
 * SQL and TypeScript answers differ, and both answers.
 */
async function expectSqlToAgreeWithTypeScript(dataSource: DataSource, reporterId: string): Promise<Coverage> {
  const coverage = emptyCoverage();
  await fc.assert(
    fc.asyncProperty(fc.array(ticketCase, { minLength: 1, maxLength: MAX_BATCH, size: 'max' }), async (tickets) => {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        // Rolled back below: each run sees only its own tickets, and the table stays empty between runs.
        const ids = await insertTickets(runner, reporterId, tickets);
        const sqlFlags = await flagsInSql(runner, ids, tickets);
        tickets.forEach((ticket, index) => {
          const typeScriptFlags = flagsInTypeScript(ticket);
          const differing = FLAG_NAMES.filter((name) => sqlFlags[index][name] !== typeScriptFlags[name]);
          if (differing.length > 0) {
            throw new Error(
              `SQL and TypeScript disagree on ${differing.join(', ')} for this ticket:\n${describeTicket(ticket)}\n` +
                `  SQL:        ${JSON.stringify(sqlFlags[index])}\n` +
                `  TypeScript: ${JSON.stringify(typeScriptFlags)}`,
            );
          }
          record(coverage, ticket, typeScriptFlags);
        });
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }),
    { seed: FC_SEED, numRuns: FC_RUNS },
  );
  return coverage;
}

/** The time zone a new plain session on `databaseUrl` gets (checks the database default took effect). */
async function sessionTimeZone(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ TimeZone: string }>('SHOW timezone');
    return rows[0].TimeZone;
  } finally {
    await client.end();
  }
}

describe('SLA rules: SQL twins agree with the TypeScript calculator', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it(
    'flags the same tickets as response/resolution breached and warned, for random tickets and instants',
    async () => {
      const coverage = await expectSqlToAgreeWithTypeScript(t.dataSource, randomUUID());

      // Not vacuous: every flag came out both ways, and `now` sat exactly on each boundary at least once.
      for (const name of FLAG_NAMES) {
        expect({ flag: name, true: coverage.flagTrue[name] > 0, false: coverage.flagFalse[name] > 0 }).toEqual({
          flag: name,
          true: true,
          false: true,
        });
      }
      expect(coverage.nowAtResponseDue).toBeGreaterThan(0);
      expect(coverage.nowAtResolutionDue).toBeGreaterThan(0);
      expect(coverage.nowAtResponseWarning).toBeGreaterThan(0);
      expect(coverage.nowAtResolutionWarning).toBeGreaterThan(0);
    },
    PROPERTY_TIMEOUT_MS,
  );

  /**
   * PostgreSQL adds the days of an interval in the session's time zone (a day across a daylight-saving change is
   * 23 or 25 hours), while TypeScript counts milliseconds. A server's default time zone is often the local one,
   * so the rules must agree there too, not only on UTC test servers.
   */
  itOnPostgres('PGlite runs a single session, so a database-level time zone default never takes effect')(
    'flags the same tickets when the database time zone observes daylight saving time',
    async () => {
      // A dedicated database: a database default applies to sessions opened after it, so a second app connects.
      const base = await startTestApp();
      try {
        const databaseUrl = base.database.url!;
        await base.dataSource.query(
          `ALTER DATABASE ${new URL(databaseUrl).pathname.slice(1)} SET timezone TO '${DST_TIME_ZONE}'`,
        );
        expect(await sessionTimeZone(databaseUrl)).toBe(DST_TIME_ZONE);
        const berlin = await startTestApp({ DATABASE_URL: databaseUrl, MIGRATIONS_RUN: 'false' });
        try {
          await expectSqlToAgreeWithTypeScript(berlin.dataSource, randomUUID());
        } finally {
          await berlin.close();
        }
      } finally {
        await base.close();
      }
    },
    PROPERTY_TIMEOUT_MS,
  );
});
