// Realistic, deterministic data for the benchmarks (issue 10): teams and their members, tickets whose SLA
// clocks, timestamps and flags follow from a status history that obeys the workflow table, that history, and
// comments. Rows are generated here with a seeded PRNG and written set-based, a batch at a time
// (INSERT … SELECT FROM unnest of array parameters), in one transaction.
//
//   npm run seed -- --tickets N [--seed S] [--now ISO] [--database-url URL]
//
// The URL defaults to DATABASE_URL; without either, the embedded database in PGLITE_DATA_DIR
// (./.data/pglite) is opened through the service's own bootstrap (lock file, migrations), so `npm run build`
// first. Migrations run first; a database that already holds tickets is refused. The same seed and --now
// (default: the current minute) give the same rows.
import { createRequire } from 'node:module';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const require = createRequire(import.meta.url);
const DIST = '../apps/ticket-service/dist/apps/ticket-service/src';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HISTORY_SPAN_DAYS = 730;
const REPORTERS = 5000;
const MEMBERS_PER_TEAM = 10; // 20 teams × 10 = the 200 assignees
const BATCH_TICKETS = 5000;
/** The scanner runs every minute: a breach or warning is recorded up to this long after it happens. */
const SCANNER_INTERVAL = MINUTE;
const WARNING_SHARE = 0.8;
/** The stored warning instant of a 24x7 clock from `start` to `due`, as slaWarningAt() computes it. */
const warningAt = (start, due) => start + Math.ceil((due - start) * WARNING_SHARE);
const REOPEN_WINDOW = 7 * DAY;
const SHARE_CLOSED = 0.6;

export const TEAM_NAMES = [
  'Platform',
  'Database',
  'Networking',
  'Security',
  'Identity',
  'Storage',
  'Observability',
  'Release Engineering',
  'Developer Tools',
  'Payments',
  'Messaging',
  'Data Pipeline',
  'Search',
  'Mobile',
  'Web Frontend',
  'API Gateway',
  'Compute',
  'Billing',
  'Support Tools',
  'Internal IT',
];

const TAGS = `network database kubernetes deploy dns tls storage monitoring auth vpn email backup latency outage
  security billing api frontend queue cache logging access hardware license`.split(/\s+/);

const SERVICES = `payments-api checkout auth-service user-profile search-api orders-db inventory kafka-cluster
  redis-cache api-gateway web-frontend mobile-backend notification-service billing-engine reporting ci-runners
  artifact-registry vpn-gateway mail-relay ldap grafana prometheus elasticsearch object-storage cdn dns-resolver
  batch-scheduler data-warehouse feature-flags secrets-vault`.split(/\s+/);

/**
 * The head of the vocabulary, most frequent first: words of support tickets with distinct English stems and no
 * stop words, so each one is one lexeme of its own in the full-text index.
 */
const REAL_WORDS = `server request service database deploy cluster network user access login latency memory disk
  error certificate pipeline build release container node pod queue cache backup restore alert dashboard metric
  storage volume bucket permission token password account email vpn firewall proxy gateway endpoint api response
  upstream replica primary failover outage incident degraded slow crash restart reboot upgrade patch version config
  setting variable secret vault key rotation expiry renewal dns domain record route traffic packet bandwidth
  throughput balancer scaling autoscaler quota limit billing invoice license report export import schema migration
  index query transaction lock deadlock connection pool thread process cpu kernel driver firmware hardware laptop
  printer keyboard screen browser mobile android iphone client library dependency package registry image repository
  branch merge commit review test flaky runner agent job schedule cron batch stream topic consumer producer
  partition offset lag broker cassandra postgres mysql redis kafka elasticsearch kibana grafana prometheus
  terraform ansible helm kubernetes docker nginx apache tomcat java python golang nodejs ruby php rust compiler heap
  garbage leak spike throttle retry backoff webhook callback payload header cookie session sso saml oauth ldap
  directory group role policy audit compliance encryption tls ssl handshake cipher vulnerability scanner malware
  phishing spam ticket escalation customer vendor contract hotfix rollback canary blue green snapshot replication
  shard tenant vacuum bloat checkpoint wal archive retention quarantine sandbox staging production region zone
  datacenter rack switch router cable outlet power cooling sensor battery voltage`.split(/\s+/);
const VOCABULARY_SIZE = 2000;

/** Real words, then made-up ones (like internal codenames): three syllables ending in a or o, stemmed to themselves. */
function buildVocabulary() {
  const words = [...REAL_WORDS];
  const seen = new Set(words);
  const rng = createRng(VOCABULARY_SIZE);
  const letter = (letters) => letters[rng.int(letters.length)];
  while (words.length < VOCABULARY_SIZE) {
    const word = ['bdfgklmnprstvz', 'aeio', 'bdfgklmnprstvz', 'aeio', 'bdfgklmnprstvz', 'ao'].map(letter).join('');
    if (!seen.has(word)) (words.push(word), seen.add(word));
  }
  return words;
}

export const VOCABULARY = buildVocabulary();
/**
 * Words are drawn with Zipf–Mandelbrot weights 1 / (rank + 15)²: the top words are in most tickets, and with
 * about 37 words of title and description the 14th is in about half of them and the 1,500th in 1 of 4,000.
 */
const WORD_WEIGHTS = VOCABULARY.map((_, rank) => 1 / (rank + 16) ** 2);
export const COMMON_WORD = VOCABULARY[13];
export const RARE_WORD = VOCABULARY[1499];

/** sfc32, seeded through splitmix32: fast, and the same stream on every platform. */
export function createRng(seed) {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const float = () => next() / 4294967296;
  return {
    next,
    float,
    int: (n) => Math.floor(float() * n),
    chance: (p) => float() < p,
    between: (low, high) => low + float() * (high - low),
    /** Log-normal around `median`: waiting times have a long tail. */
    lognormal: (median, sigma) =>
      median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float())),
  };
}

/** Picks one of `values` with the given relative `weights`, in O(log n). */
function weightedPicker(values, weights) {
  const cumulative = [];
  let total = 0;
  for (const weight of weights) cumulative.push((total += weight));
  return (rng) => {
    const target = rng.float() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] > target) high = mid;
      else low = mid + 1;
    }
    return values[low];
  };
}
/** The same over a `{ value: weight }` table. */
const pickerOf = (table) => weightedPicker(Object.keys(table), Object.values(table));
const orNull = (value) => (value === 'null' ? null : value);

const pickWordIndex = weightedPicker(
  VOCABULARY.map((_, index) => index),
  WORD_WEIGHTS,
);
const pickCategory = pickerOf({ INCIDENT: 35, SERVICE_REQUEST: 30, QUESTION: 15, PROBLEM: 10, CHANGE_REQUEST: 10 });
const pickIncidentPriority = pickerOf({ P1: 10, P2: 30, P3: 45, P4: 15 });
const pickOtherPriority = pickerOf({ P1: 2, P2: 13, P3: 60, P4: 25 });
const pickEnvironment = pickerOf({ PRODUCTION: 45, STAGING: 20, DEVELOPMENT: 12, TESTING: 5, null: 18 });
const IMPACT_BY_PRIORITY = {
  P1: pickerOf({ CRITICAL: 60, HIGH: 35, MEDIUM: 5 }),
  P2: pickerOf({ CRITICAL: 10, HIGH: 50, MEDIUM: 35, LOW: 5 }),
  P3: pickerOf({ HIGH: 10, MEDIUM: 50, LOW: 25, null: 15 }),
  P4: pickerOf({ MEDIUM: 15, LOW: 55, null: 30 }),
};
const pickTagCount = weightedPicker([0, 1, 2, 3], [25, 35, 25, 15]);
const pickTag = weightedPicker(
  TAGS,
  TAGS.map((_, rank) => 1 / (rank + 1)),
);
const pickTeamIndex = weightedPicker(
  TEAM_NAMES.map((_, index) => index),
  TEAM_NAMES.map((_, index) => 1 / (index + 3)),
);
// A few requesters file many tickets, most file a handful.
const pickReporterIndex = weightedPicker(
  Array.from({ length: REPORTERS }, (_, index) => index),
  Array.from({ length: REPORTERS }, (_, index) => 1 / (index + 1) ** 0.9),
);

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const hex32 = (n) => HEX[n >>> 24] + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];

/** A version-4-shaped UUID from the seeded stream, so ids are random-looking yet reproducible. */
function uuid(rng) {
  const a = hex32(rng.next());
  const b = hex32((rng.next() & 0xffff0fff) | 0x4000);
  const c = hex32(((rng.next() & 0x3fffffff) | 0x80000000) >>> 0);
  const d = hex32(rng.next());
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

/** Words drawn from the vocabulary; `seen` (if given) collects their indexes: which words a ticket's text has. */
function words(rng, count, seen) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const index = pickWordIndex(rng);
    seen?.add(index);
    out.push(VOCABULARY[index]);
  }
  return out;
}

function capitalized(list) {
  const text = list.join(' ');
  return text[0].toUpperCase() + text.slice(1);
}

function sentence(rng, low, high, seen) {
  return `${capitalized(words(rng, low + rng.int(high - low + 1), seen))}.`;
}

function paragraph(rng, sentences, seen) {
  return Array.from({ length: sentences }, () => sentence(rng, 6, 14, seen)).join(' ');
}

/**
 * When tickets were opened: two years, growing over time, weekdays busier than weekends and office hours busier
 * than nights. Ticket i lands at quantile (i + jitter) / N of that density, so numbers increase with time.
 */
function arrivalCurve(now, tickets) {
  const hours = HISTORY_SPAN_DAYS * 24;
  const start = now - hours * HOUR;
  const weights = new Float64Array(hours);
  const cumulative = new Float64Array(hours + 1);
  for (let h = 0; h < hours; h++) {
    const at = new Date(start + h * HOUR);
    const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
    const office = at.getUTCHours() >= 7 && at.getUTCHours() < 19;
    weights[h] = (0.5 + h / hours) * (weekend ? 0.3 : 1) * (office ? 1 : 0.35);
    cumulative[h + 1] = cumulative[h] + weights[h];
  }
  const createdAt = (i, jitter) => {
    const target = ((i + jitter) / tickets) * cumulative[hours];
    let low = 0;
    let high = hours - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (cumulative[mid] <= target) low = mid;
      else high = mid - 1;
    }
    return Math.min(now - MINUTE, start + (low + (target - cumulative[low]) / weights[low]) * HOUR);
  };
  return { createdAt, weights };
}

/**
 * The chance that a ticket of a given age is still not closed: high for new ones, a floor of stale ones, scaled
 * so that 40% of all tickets (over the arrival curve) are expected not to be closed.
 */
function openChance(curve) {
  const shape = (ageDays) => Math.exp(-ageDays / 60) + 0.35;
  const shareOpen = (scale) => {
    let open = 0;
    let total = 0;
    curve.weights.forEach((weight, h) => {
      open += weight * Math.min(0.97, scale * shape(HISTORY_SPAN_DAYS - h / 24));
      total += weight;
    });
    return open / total;
  };
  let low = 0;
  let high = 10;
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (shareOpen(mid) < 1 - SHARE_CLOSED) low = mid;
    else high = mid;
  }
  return (ageDays) => Math.min(0.97, low * shape(ageDays));
}

/** The status a ticket that is not closed has now: young ones are mostly NEW, OPEN or RESOLVED. */
function openStatus(rng, ageDays) {
  const weights = {
    NEW: 30 * Math.exp(-ageDays / 2) + 1.5,
    OPEN: 12 * Math.exp(-ageDays / 10) + 3,
    IN_PROGRESS: 10 + 5 * Math.exp(-ageDays / 20),
    PENDING_INFO: 6,
    ESCALATED: 2,
    RESOLVED: 25 * Math.exp(-ageDays / 7) + 3,
    REOPENED: 2,
  };
  return pickerOf(weights)(rng);
}

/** Every step is allowed by the workflow table (spec §5); "OPEN" from NEW is the assignment. */
function statusPath(rng, status) {
  const work = () => [
    'OPEN',
    'IN_PROGRESS',
    ...(rng.chance(0.2) ? ['PENDING_INFO', 'IN_PROGRESS'] : []),
    ...(rng.chance(0.05) ? ['ESCALATED'] : []),
  ];
  switch (status) {
    case 'NEW':
      return [];
    case 'OPEN':
      return ['OPEN'];
    case 'IN_PROGRESS':
      return ['OPEN', 'IN_PROGRESS'];
    case 'PENDING_INFO':
      return [...work().filter((step) => step !== 'ESCALATED'), 'PENDING_INFO'];
    case 'ESCALATED':
      return ['OPEN', 'IN_PROGRESS', 'ESCALATED'];
    case 'RESOLVED':
      return [...work(), 'RESOLVED'];
    case 'REOPENED':
      return [...work(), 'RESOLVED', ...(rng.chance(0.5) ? ['CLOSED'] : []), 'REOPENED'];
    default: // CLOSED: withdrawn while NEW, or worked, resolved (now and then reopened once) and closed
      if (rng.chance(0.06)) return ['CLOSED'];
      return [...work(), 'RESOLVED', ...(rng.chance(0.04) ? ['REOPENED', 'IN_PROGRESS', 'RESOLVED'] : []), 'CLOSED'];
  }
}

/** How long after the previous step a step happens, in ms, scaled by the ticket's SLA targets. */
function stepDelay(rng, from, to, target) {
  switch (to) {
    case 'OPEN':
      return target.response * rng.lognormal(0.35, 0.9);
    case 'IN_PROGRESS':
      if (from === 'PENDING_INFO') return rng.lognormal(12 * HOUR, 1);
      if (from === 'REOPENED') return rng.lognormal(4 * HOUR, 1);
      return target.response * rng.lognormal(0.3, 1);
    case 'PENDING_INFO':
    case 'ESCALATED':
      return target.resolution * rng.lognormal(0.15, 0.8);
    case 'RESOLVED':
      return target.resolution * rng.lognormal(0.25, 0.9);
    case 'CLOSED':
      return from === 'NEW' ? rng.lognormal(6 * HOUR, 1.2) : rng.lognormal(2 * DAY, 0.8);
    default: // REOPENED, within the reopen window of a close
      return Math.min(rng.lognormal(36 * HOUR, 0.9), REOPEN_WINDOW - HOUR);
  }
}

const STATUS_CHANGE_TYPE = { RESOLVED: 'RESOLVED', CLOSED: 'CLOSED', REOPENED: 'REOPENED', ESCALATED: 'ESCALATED' };

/**
 * One ticket: its row, history and comments. Its steps are spread over its age (squeezed when it is younger than
 * they would take) and applied with the service's rules: first response on leaving NEW, the PENDING_INFO pause
 * of the resolution clock, the reopen reset. SLA breaches and warnings are recorded as the breach scanner would
 * have recorded them up to `now` (one SLA_BREACH row per kind), so a scan right after seeding finds almost nothing.
 */
function generateTicket(rng, world, index, out) {
  const { now, teams, reporters, targets } = world;
  const createdAt = world.curve.createdAt(index, rng.float());
  const ageDays = (now - createdAt) / DAY;
  const seen = new Set();
  const category = pickCategory(rng);
  const priority = (category === 'INCIDENT' ? pickIncidentPriority : pickOtherPriority)(rng);
  const target = targets[priority];
  const status = rng.chance(world.openChance(ageDays)) ? openStatus(rng, ageDays) : 'CLOSED';
  const reporterId = reporters[pickReporterIndex(rng)];
  const title = capitalized(words(rng, 4 + rng.int(6), seen));
  const ticket = {
    id: uuid(rng),
    title,
    description: paragraph(rng, 2 + rng.int(3), seen),
    category,
    priority,
    status: 'NEW',
    environment: orNull(pickEnvironment(rng)),
    affected_service: rng.chance(0.8) ? SERVICES[rng.int(SERVICES.length)] : null,
    impact_level: orNull(IMPACT_BY_PRIORITY[priority](rng)),
    tags: [...new Set(Array.from({ length: pickTagCount(rng) }, () => pickTag(rng)))].join(','),
    reporter_id: reporterId,
    assignee_id: null,
    team_id: rng.chance(0.65) ? teams[pickTeamIndex(rng)].id : null,
    resolution_notes: null,
    response_due_at: createdAt + target.response,
    resolution_due_at: createdAt + target.resolution,
    response_warning_at: createdAt + Math.ceil(target.response * WARNING_SHARE),
    resolution_warning_at: createdAt + Math.ceil(target.resolution * WARNING_SHARE),
    sla_clock: '24x7',
    time_to_first_response_seconds: null,
    time_to_resolution_seconds: null,
    resolution_clock_started_at: createdAt,
    pending_since: null,
    paused_seconds: 0,
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    response_breach_recorded: false,
    resolution_breach_recorded: false,
    response_warning_recorded: false,
    resolution_warning_recorded: false,
    reopen_count: 0,
    version: 1,
    created_at: createdAt,
    updated_at: createdAt,
    deleted_at: null,
  };
  const history = [];
  const record = (at, changeType, userId, fields = {}) =>
    history.push({ at, changeType, userId, field: null, oldValue: null, newValue: null, metadata: {}, ...fields });
  record(createdAt, 'CREATED', reporterId, { metadata: { status: 'NEW', priority, title } });

  const steps = statusPath(rng, status);
  const delays = steps.map((to, k) => stepDelay(rng, steps[k - 1] ?? 'NEW', to, target));
  const needed = delays.reduce((sum, delay) => sum + delay, 0);
  const room = Math.max(0, now - createdAt - MINUTE);
  const squeeze = needed > room ? room / needed : 1;
  const sla = slaRecorder(rng, ticket, now, record);
  let at = createdAt;
  let assignedAt = null;
  steps.forEach((to, k) => {
    at += delays[k] * squeeze;
    sla.advanceTo(at);
    if (ticket.status === 'NEW' && to === 'OPEN') assignedAt = at;
    applyStep(rng, world, ticket, to, at, record);
  });
  sla.advanceTo(now);

  if (assignedAt !== null && rng.chance(0.45)) addComments(rng, ticket, assignedAt, at, now, seen, record, out);
  if (ticket.status === 'CLOSED' && rng.chance(0.003)) {
    const deletedAt = ticket.closed_at + rng.lognormal(20 * DAY, 1);
    if (deletedAt < now) {
      ticket.deleted_at = deletedAt;
      ticket.version += 1;
      record(deletedAt, 'DELETED', world.adminId);
    }
  }
  history.sort((x, y) => x.at - y.at);
  ticket.updated_at = Math.max(history[history.length - 1].at, sla.lastSaveAt);
  out.tickets.push(ticket);
  for (const row of history) out.history.push(historyRow(rng, ticket.id, row));
  world.stats.count(ticket, seen);
}

/**
 * One workflow step at `at`, with the service's side effects: the assignment (a NEW ticket becomes OPEN), the
 * first response on leaving NEW, the PENDING_INFO pause of the resolution clock, resolve, close and the reopen
 * reset (as moveStatus() does), and its history rows.
 */
function applyStep(rng, world, ticket, to, at, record) {
  const from = ticket.status;
  const team = world.teams.find((candidate) => candidate.id === ticket.team_id) ?? world.teams[pickTeamIndex(rng)];
  const assignee = ticket.assignee_id ?? team.members[rng.int(team.members.length)];
  let actor = assignee;
  if (from === 'NEW' && to === 'OPEN') {
    // By the team lead, or the engineer taking it.
    actor = rng.chance(0.6) ? team.members[0] : assignee;
    record(at, 'STATUS_CHANGE', actor, { field: 'status', oldValue: 'NEW', newValue: 'OPEN' });
    record(at, 'ASSIGNMENT_CHANGE', actor, { field: 'assignee_id', newValue: assignee });
    if (ticket.team_id !== team.id) record(at, 'ASSIGNMENT_CHANGE', actor, { field: 'team_id', newValue: team.id });
    ticket.assignee_id = assignee;
    ticket.team_id = team.id;
  } else {
    const byReporter = (from === 'NEW' && to === 'CLOSED') || to === 'REOPENED' || (to === 'CLOSED' && rng.chance(0.5));
    actor = byReporter ? ticket.reporter_id : assignee;
    const metadata = {};
    if (to === 'RESOLVED') metadata.resolution_notes = ticket.resolution_notes = sentence(rng, 8, 16, null);
    if (to === 'REOPENED') metadata.notes = sentence(rng, 6, 12, null);
    record(at, STATUS_CHANGE_TYPE[to] ?? 'STATUS_CHANGE', actor, {
      field: 'status',
      oldValue: from,
      newValue: to,
      metadata,
    });
  }
  if (from === 'NEW' && actor !== ticket.reporter_id) {
    ticket.first_response_at = at;
    ticket.time_to_first_response_seconds = (at - ticket.created_at) / 1000;
  }
  if (from === 'PENDING_INFO') {
    const paused = Math.floor((at - ticket.pending_since) / 1000);
    ticket.paused_seconds += paused;
    ticket.resolution_due_at += paused * 1000;
    ticket.resolution_warning_at = warningAt(ticket.resolution_clock_started_at, ticket.resolution_due_at);
    ticket.pending_since = null;
  }
  if (to === 'PENDING_INFO') ticket.pending_since = at;
  if (to === 'RESOLVED') {
    ticket.resolved_at = at;
    ticket.time_to_resolution_seconds = (at - ticket.created_at) / 1000;
  }
  if (to === 'CLOSED') ticket.closed_at = at;
  if (to === 'REOPENED') {
    ticket.reopen_count += 1;
    ticket.resolved_at = ticket.closed_at = ticket.resolution_notes = ticket.time_to_resolution_seconds = null;
    ticket.resolution_clock_started_at = at;
    ticket.paused_seconds = 0;
    ticket.resolution_due_at = at + world.targets[ticket.priority].resolution;
    ticket.resolution_warning_at = warningAt(at, ticket.resolution_due_at);
  }
  ticket.status = to;
  ticket.version += 1;
}

/**
 * Follows the SLA clock of a ticket between its steps and records what the breach scanner would have recorded:
 * a breach (flag + SLA_BREACH row) or a warning at 80% (flag only) at the first scanner pass after it happens.
 * The conditions are those of computeBreaches()/computeWarnings(); flags stay set, as in the service.
 */
function slaRecorder(rng, ticket, now, record) {
  const lag = () => rng.float() * SCANNER_INTERVAL;
  const response = {
    breachAt: ticket.response_due_at + lag(),
    warnAt: ticket.created_at + (ticket.response_due_at - ticket.created_at) * WARNING_SHARE + lag(),
  };
  const recorder = { lastSaveAt: 0, advanceTo };
  const save = (at) => {
    ticket.version += 1;
    recorder.lastSaveAt = Math.max(recorder.lastSaveAt, at);
  };
  let from = ticket.created_at;
  let breachLag = lag();
  let warnLag = lag();

  /** Checks the interval from the previous step to `until`, during which the ticket did not change. */
  function advanceTo(until) {
    const answered = ticket.first_response_at !== null;
    if (
      !answered &&
      !ticket.response_warning_recorded &&
      response.warnAt <= until &&
      response.warnAt < ticket.response_due_at &&
      response.warnAt <= now
    ) {
      ticket.response_warning_recorded = true;
      save(response.warnAt);
    }
    if (!answered && !ticket.response_breach_recorded && response.breachAt <= now && ticket.response_due_at < until) {
      ticket.response_breach_recorded = true;
      save(response.breachAt);
      record(response.breachAt, 'SLA_BREACH', null, { metadata: { kind: 'response' } });
    }
    const clockRuns = ticket.resolved_at === null && ticket.pending_since === null;
    if (clockRuns) {
      const due = ticket.resolution_due_at;
      const start = ticket.resolution_clock_started_at;
      const warnAt = Math.max(from, start + (due - start) * WARNING_SHARE) + warnLag;
      if (!ticket.resolution_warning_recorded && warnAt < until && warnAt < due && warnAt <= now) {
        ticket.resolution_warning_recorded = true;
        save(warnAt);
      }
      const breachAt = Math.max(from, due) + breachLag;
      if (!ticket.resolution_breach_recorded && due < until && breachAt <= now) {
        ticket.resolution_breach_recorded = true;
        save(breachAt);
        record(breachAt, 'SLA_BREACH', null, { metadata: { kind: 'resolution' } });
      }
    }
    from = until;
    breachLag = lag();
    warnLag = lag();
  }
  return recorder;
}

/** 1–6 comments between the assignment and the last step (or a few days after it), some of them internal notes. */
function addComments(rng, ticket, assignedAt, lastStepAt, now, seen, record, out) {
  const until = ticket.closed_at ?? Math.min(now, lastStepAt + 3 * DAY);
  let count = 1;
  while (count < 6 && rng.chance(0.45)) count++;
  for (let i = 0; i < count; i++) {
    const at = rng.between(assignedAt, until);
    const byStaff = rng.chance(0.6);
    const internal = byStaff && rng.chance(0.3);
    const comment = {
      id: uuid(rng),
      ticket_id: ticket.id,
      author_id: byStaff ? ticket.assignee_id : ticket.reporter_id,
      content: paragraph(rng, 1 + rng.int(2), seen),
      comment_type: 'COMMENT',
      is_internal: internal,
      edited: false,
      created_at: at,
      updated_at: at,
    };
    out.comments.push(comment);
    record(at, 'COMMENT_ADDED', comment.author_id, { metadata: { comment_id: comment.id, internal } });
  }
}

function historyRow(rng, ticketId, row) {
  return {
    id: uuid(rng),
    ticket_id: ticketId,
    change_type: row.changeType,
    field_name: row.field,
    old_value: row.oldValue,
    new_value: row.newValue,
    user_id: row.userId,
    metadata: JSON.stringify(row.metadata),
    created_at: row.at,
  };
}

/** How each column travels: as an array parameter of `array` type, turned into the column's value by `expr`. */
const KINDS = {
  uuid: { array: 'uuid[]', expr: (c) => c },
  text: { array: 'text[]', expr: (c) => c },
  int: { array: 'int4[]', expr: (c) => c },
  float: { array: 'float8[]', expr: (c) => c },
  bool: { array: 'bool[]', expr: (c) => c },
  time: { array: 'float8[]', expr: (c) => `to_timestamp(${c})`, value: (ms) => (ms === null ? null : ms / 1000) },
  tags: { array: 'text[]', expr: (c) => `string_to_array(${c}, ',')` }, // unnest flattens arrays of arrays
  json: { array: 'text[]', expr: (c) => `${c}::jsonb` },
};

// Every column a seeded row sets; ticket_number (its sequence), search_vector (generated) and the history's
// seq (identity) come from their defaults.
const TABLES = {
  teams: { id: 'uuid', name: 'text', created_at: 'time', updated_at: 'time' },
  team_members: { team_id: 'uuid', user_id: 'uuid', role: 'text', created_at: 'time' },
  tickets: {
    id: 'uuid',
    title: 'text',
    description: 'text',
    category: 'text',
    priority: 'text',
    status: 'text',
    environment: 'text',
    affected_service: 'text',
    impact_level: 'text',
    tags: 'tags',
    reporter_id: 'uuid',
    assignee_id: 'uuid',
    team_id: 'uuid',
    resolution_notes: 'text',
    response_due_at: 'time',
    resolution_due_at: 'time',
    response_warning_at: 'time',
    resolution_warning_at: 'time',
    sla_clock: 'text',
    time_to_first_response_seconds: 'float',
    time_to_resolution_seconds: 'float',
    resolution_clock_started_at: 'time',
    pending_since: 'time',
    paused_seconds: 'int',
    first_response_at: 'time',
    resolved_at: 'time',
    closed_at: 'time',
    response_breach_recorded: 'bool',
    resolution_breach_recorded: 'bool',
    response_warning_recorded: 'bool',
    resolution_warning_recorded: 'bool',
    reopen_count: 'int',
    version: 'int',
    created_at: 'time',
    updated_at: 'time',
    deleted_at: 'time',
  },
  comments: {
    id: 'uuid',
    ticket_id: 'uuid',
    author_id: 'uuid',
    content: 'text',
    comment_type: 'text',
    is_internal: 'bool',
    edited: 'bool',
    created_at: 'time',
    updated_at: 'time',
  },
  ticket_history: {
    id: 'uuid',
    ticket_id: 'uuid',
    change_type: 'text',
    field_name: 'text',
    old_value: 'text',
    new_value: 'text',
    user_id: 'uuid',
    metadata: 'json',
    created_at: 'time',
  },
};

/** Rows in generation order (WITH ORDINALITY), so ticket numbers follow created_at. */
function insertSql(table) {
  const columns = Object.entries(TABLES[table]);
  const names = columns.map(([name]) => name);
  return `INSERT INTO ${table} (${names.join(', ')})
    SELECT ${columns.map(([name, kind]) => KINDS[kind].expr(`r.${name}`)).join(', ')}
    FROM unnest(${columns.map(([, kind], i) => `$${i + 1}::${KINDS[kind].array}`).join(', ')})
      WITH ORDINALITY AS r(${names.join(', ')}, ord)
    ORDER BY r.ord`;
}

/**
 * A column as one array literal. pg would build it too, with two regular expressions per element; our text has
 * no quotes or backslashes except in JSON, so this cheaper path roughly halves this process's CPU per row.
 */
function arrayLiteral(values) {
  const elements = values.map((value) => {
    if (value === null) return 'NULL';
    if (typeof value !== 'string') return String(value);
    return `"${/["\\]/.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  });
  return `{${elements.join(',')}}`;
}

function insertRows(client, table, rows) {
  if (rows.length === 0) return Promise.resolve();
  const values = Object.entries(TABLES[table]).map(([name, kind]) => {
    const convert = KINDS[kind].value ?? ((value) => value);
    return arrayLiteral(rows.map((row) => convert(row[name])));
  });
  return client.query(insertSql(table), values);
}

/** 20 teams of 10: the first member leads. Reporters and assignees are user ids only (users live elsewhere). */
function generatePeople(rng, now) {
  const since = now - (HISTORY_SPAN_DAYS + 30) * DAY;
  const teams = TEAM_NAMES.map((name) => ({
    id: uuid(rng),
    name,
    members: Array.from({ length: MEMBERS_PER_TEAM }, () => uuid(rng)),
  }));
  const reporters = Array.from({ length: REPORTERS }, () => uuid(rng));
  return {
    teams,
    reporters,
    adminId: uuid(rng),
    teamRows: teams.map((team) => ({ id: team.id, name: team.name, created_at: since, updated_at: since })),
    memberRows: teams.flatMap((team) =>
      team.members.map((userId, rank) => ({
        team_id: team.id,
        user_id: userId,
        role: rank === 0 ? 'LEAD' : 'MEMBER',
        created_at: since,
      })),
    ),
  };
}

/** Counts for the summary: closed tickets, and how many tickets `q` finds with the common and the rare word. */
function createStats() {
  const common = VOCABULARY.indexOf(COMMON_WORD);
  const rare = VOCABULARY.indexOf(RARE_WORD);
  const stats = { tickets: 0, closed: 0, comments: 0, history: 0, withCommon: 0, withRare: 0 };
  stats.count = (ticket, seen) => {
    stats.tickets++;
    if (ticket.status === 'CLOSED') stats.closed++;
    if (seen.has(common)) stats.withCommon++;
    if (seen.has(rare)) stats.withRare++;
  };
  return stats;
}

/**
 * What the load sets aside and builds again after it, from the catalog's own definitions so that they come back
 * exactly: the foreign keys that touch the loaded tables, the tables' primary keys and unique constraints, and
 * their plain indexes. Building an index once by sorting, and checking a foreign key with one join, costs a
 * fraction of a random b-tree insert and a key look-up per row (measured here: 3–4× less server CPU per row).
 */
async function setAside(client, tables) {
  const { rows: constraints } = await client.query(
    `SELECT conname AS name, conrelid::regclass::text AS "table", contype AS kind, pg_get_constraintdef(oid) AS definition
     FROM pg_constraint
     WHERE (contype IN ('p', 'u') AND conrelid = ANY($1::regclass[]))
        OR (contype = 'f' AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[])))
     ORDER BY contype DESC, conname`,
    [tables],
  );
  const { rows: indexes } = await client.query(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = ANY($1::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
     ORDER BY c.relname`,
    [tables],
  );
  const foreignKeys = constraints.filter((constraint) => constraint.kind === 'f');
  const keys = constraints.filter((constraint) => constraint.kind !== 'f');
  const alter = (constraint, action) =>
    client.query(
      `ALTER TABLE ${constraint.table} ${action} CONSTRAINT "${constraint.name}"${action === 'ADD' ? ` ${constraint.definition}` : ''}`,
    );
  return {
    names: [...keys, ...indexes, ...foreignKeys].map((item) => item.name),
    async drop() {
      for (const constraint of foreignKeys) await alter(constraint, 'DROP');
      for (const constraint of keys) await alter(constraint, 'DROP');
      for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    },
    async restore() {
      for (const constraint of keys) await alter(constraint, 'ADD');
      for (const index of indexes) await client.query(index.definition);
      for (const constraint of foreignKeys) await alter(constraint, 'ADD');
    },
  };
}

function progressBar(label, total) {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let shown = -1;
  let lastDraw = 0;
  const draw = (done) => {
    const seconds = (performance.now() - started) / 1000;
    const share = done / total;
    const eta = share > 0 ? (seconds / share) * (1 - share) : 0;
    const bar = '█'.repeat(Math.round(share * 30)).padEnd(30, '░');
    const line = `${label} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} · ${seconds.toFixed(1)} s · eta ${eta.toFixed(0)} s`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  return {
    update(done) {
      // A terminal gets a redrawn bar; a log (CI, the harness) a line per 10%.
      const now = performance.now();
      const tenth = Math.floor((done / total) * 10);
      if (tty ? now - lastDraw < 200 : tenth === shown) return;
      lastDraw = now;
      shown = tenth;
      draw(done);
    },
    finish() {
      if (tty || shown !== 10) draw(total);
      if (tty) process.stderr.write('\n');
    },
  };
}

/** Generates tickets [from, to): yields to the event loop now and then, so the previous batch streams out meanwhile. */
async function generateBatch(rng, world, from, to) {
  const out = { tickets: [], comments: [], history: [] };
  for (let index = from; index < to; index++) {
    generateTicket(rng, world, index, out);
    if (index % 500 === 0) await yieldToEventLoop();
  }
  return out;
}

async function insertBatch(client, batch) {
  await insertRows(client, 'tickets', batch.tickets);
  await insertRows(client, 'comments', batch.comments);
  await insertRows(client, 'ticket_history', batch.history);
}

async function sqlTargets(client) {
  const { rows } = await client.query(`SELECT priority, response_minutes, resolution_minutes FROM sla_policies`);
  return Object.fromEntries(
    rows.map((row) => [
      row.priority,
      { response: row.response_minutes * MINUTE, resolution: row.resolution_minutes * MINUTE },
    ]),
  );
}

/**
 * Seeds `tickets` tickets into the migrated, empty database at `url`. Returns the counts and the phase times.
 * Generation (this process) and insertion (the server) overlap: batch k + 1 is generated while k is written.
 */
export async function seed(url, { tickets, seed: seedValue = 1, now = currentMinute() }) {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-seed' });
  await client.connect();
  const timings = {};
  let phaseStarted = performance.now();
  const phase = (name) => {
    timings[name] = (performance.now() - phaseStarted) / 1000;
    phaseStarted = performance.now();
  };
  try {
    const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM tickets) AS seeded`);
    if (rows[0].seeded) throw new Error('the database already holds tickets; seed an empty one');
    const rng = createRng(seedValue);
    const people = generatePeople(rng, now);
    const curve = arrivalCurve(now, tickets);
    const stats = createStats();
    const world = { ...people, now, curve, openChance: openChance(curve), targets: await sqlTargets(client), stats };
    const tables = ['tickets', 'comments', 'ticket_history'];
    const setAsideDuringLoad = await setAside(client, tables);

    await client.query('BEGIN');
    // Memory for the index builds, and for each batch's sort by ordinality to stay off disk.
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await client.query(`SET LOCAL work_mem = '64MB'`);
    await setAsideDuringLoad.drop();
    await insertRows(client, 'teams', people.teamRows);
    await insertRows(client, 'team_members', people.memberRows);
    const bar = progressBar('tickets', tickets);
    let writing = Promise.resolve();
    for (let from = 0; from < tickets; from += BATCH_TICKETS) {
      const batch = await generateBatch(rng, world, from, Math.min(tickets, from + BATCH_TICKETS));
      await writing;
      stats.comments += batch.comments.length;
      stats.history += batch.history.length;
      writing = insertBatch(client, batch).then(() => bar.update(Math.min(tickets, from + BATCH_TICKETS)));
      writing.catch(() => {}); // awaited (and thrown) on the next turn; this only keeps Node from calling it unhandled
    }
    await writing;
    bar.finish();
    phase('load');
    process.stderr.write(`keys and indexes: building ${setAsideDuringLoad.names.join(', ')}\n`);
    await setAsideDuringLoad.restore();
    await client.query('COMMIT');
    phase('index');
    // VACUUM as well as ANALYZE: visibility map and hint bits set now rather than by autovacuum mid-benchmark.
    process.stderr.write('vacuum analyze …\n');
    await client.query(`VACUUM (ANALYZE) teams, team_members, ${tables.join(', ')}`);
    phase('analyze');
    return { stats, timings, now: new Date(now).toISOString() };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

function currentMinute() {
  return Math.floor(Date.now() / MINUTE) * MINUTE;
}

/**
 * The database the service itself would use: DATABASE_URL, or the embedded one (with its lock file) opened by
 * the service's bootstrap; either way migrated by the service's migrations.
 */
async function openDatabase(databaseUrl) {
  const { parseConfig } = require(`${DIST}/config/app-config.js`);
  const { openDatabaseEndpoint } = require(`${DIST}/database/database-endpoint.js`);
  const { buildDataSourceOptions } = require(`${DIST}/database/data-source-options.js`);
  const { DataSource } = require('typeorm');
  const config = parseConfig({ PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR });
  const endpoint = await openDatabaseEndpoint(databaseUrl ? { ...config.db, url: databaseUrl } : config.db);
  try {
    // The service's options; only its log lines (Nest's logger, on stdout) are left out.
    const options = {
      ...buildDataSourceOptions(endpoint.settings),
      migrationsRun: false,
      logger: 'simple-console',
      logging: ['error'],
    };
    const dataSource = new DataSource(options);
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
    process.stderr.write(
      `${databaseUrl ? 'PostgreSQL' : `embedded database ${config.db.pgliteDataDir}`}: ${applied.length} migrations applied\n`,
    );
  } catch (error) {
    await endpoint.embedded?.stop();
    throw error;
  }
  return { url: endpoint.settings.url, close: async () => endpoint.embedded?.stop() };
}

async function main() {
  const { values } = parseArgs({
    options: {
      tickets: { type: 'string' },
      seed: { type: 'string', default: '1' },
      now: { type: 'string' },
      'database-url': { type: 'string', default: process.env.DATABASE_URL },
    },
  });
  const tickets = Number(values.tickets);
  if (!Number.isSafeInteger(tickets) || tickets < 1) throw new Error('--tickets N (a positive integer) is required');
  const now = values.now ? Date.parse(values.now) : currentMinute();
  if (Number.isNaN(now)) throw new Error(`--now ${values.now} is not a timestamp`);
  const started = performance.now();
  const database = await openDatabase(values['database-url']);
  try {
    const { stats, timings } = await seed(database.url, { tickets, seed: Number(values.seed), now });
    const seconds = (performance.now() - started) / 1000;
    const count = (n) => n.toLocaleString('en');
    console.log(
      [
        `seeded ${count(stats.tickets)} tickets (${((stats.closed / stats.tickets) * 100).toFixed(1)}% closed), ${count(stats.history)} history rows, ${count(stats.comments)} comments, ${TEAM_NAMES.length} teams in ${seconds.toFixed(1)} s`,
        `  load ${timings.load.toFixed(1)} s, indexes ${timings.index.toFixed(1)} s, vacuum analyze ${timings.analyze.toFixed(1)} s; seed ${values.seed}, now ${new Date(now).toISOString()}`,
        `  common word "${COMMON_WORD}" in ${count(stats.withCommon)} tickets, rare word "${RARE_WORD}" in ${count(stats.withRare)} (title, description or comments)`,
      ].join('\n'),
    );
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`\nseed failed: ${error.message}\n`);
    process.exit(1);
  });
}
