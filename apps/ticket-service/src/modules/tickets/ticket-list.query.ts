import { TicketStatus } from '@ticketing/contracts';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { BREACHED_SQL } from '../sla';
import { DomainError } from '../../common/errors/domain-error';
import type { TicketListQueryDto, TicketSortField } from './dto/ticket-list-query.dto';
import type { Ticket } from './ticket.entity';

const WORKFLOW_ORDER = Object.values(TicketStatus);

/** Sort expressions; only the due dates can be null (SLA off), and those go last. */
const SORT_SQL: Record<Exclude<TicketSortField, 'relevance'>, { sql: string; nullable: boolean }> = {
  created_at: { sql: '{t}.created_at', nullable: false },
  updated_at: { sql: '{t}.updated_at', nullable: false },
  priority: { sql: '{t}.priority', nullable: false },
  status: {
    sql: `array_position(ARRAY[${WORKFLOW_ORDER.map((s) => `'${s}'`).join(', ')}]::varchar[], {t}.status)`,
    nullable: false,
  },
  response_due_at: { sql: '{t}.response_due_at', nullable: true },
  resolution_due_at: { sql: '{t}.resolution_due_at', nullable: true },
  ticket_number: { sql: '{t}.ticket_number', nullable: false },
};

/**
 * Visibility and every filter of spec §8 over `tickets t`. `q` matches the ticket's own text and, through
 * `otherTextSql` (a condition on `t.id` the service builds from other modules' text, e.g. comments), text
 * that lives elsewhere.
 */
export function applyTicketFilters(
  qb: SelectQueryBuilder<Ticket>,
  query: TicketListQueryDto,
  principal: Principal,
  now: Date,
  otherTextSql: string | null,
): SelectQueryBuilder<Ticket> {
  if (query.sort_by === 'relevance' && !query.q) {
    throw DomainError.validation('sort_by=relevance needs q', [
      { field: 'sort_by', message: 'relevance is only available with q' },
    ]);
  }
  qb.setParameter('now', now);
  // Requesters see what they reported and what they follow (AccessPolicy.canViewTicket).
  if (!AccessPolicy.canSeeAllTickets(principal))
    qb.andWhere(
      '(t.reporter_id = :me OR EXISTS (SELECT 1 FROM ticket_followers f WHERE f.ticket_id = t.id AND f.user_id = :me))',
      { me: principal.id },
    );

  const anyOf = (column: string, values: readonly string[] | undefined, name: string) => {
    if (values?.length) qb.andWhere(`${column} IN (:...${name})`, { [name]: values });
  };
  anyOf('t.status', query.status, 'statuses');
  anyOf('t.priority', query.priority, 'priorities');
  anyOf('t.category', query.category, 'categories');
  anyOf('t.environment', query.environment, 'environments');
  anyOf('t.impact_level', query.impact_level, 'impactLevels');
  if (query.tags?.length)
    qb.andWhere('t.tags && :tags::text[]', { tags: query.tags.map((tag) => tag.trim().toLowerCase()) });

  if (query.assignee_id === 'none') qb.andWhere('t.assignee_id IS NULL');
  else if (query.assignee_id)
    qb.andWhere('t.assignee_id = :assignee', {
      assignee: query.assignee_id === 'me' ? principal.id : query.assignee_id,
    });
  if (query.reporter_id) qb.andWhere('t.reporter_id = :reporter', { reporter: query.reporter_id });
  if (query.team_id) qb.andWhere('t.team_id = :team', { team: query.team_id });
  if (query.created_after) qb.andWhere('t.created_at >= :createdAfter', { createdAfter: query.created_after });
  if (query.created_before) qb.andWhere('t.created_at < :createdBefore', { createdBefore: query.created_before });
  if (query.updated_after) qb.andWhere('t.updated_at >= :updatedAfter', { updatedAfter: query.updated_after });
  if (query.sla_breached !== undefined) qb.andWhere(query.sla_breached ? BREACHED_SQL : `NOT ${BREACHED_SQL}`);
  if (query.q) {
    qb.setParameter('q', query.q);
    const ownText = `t.search_vector @@ websearch_to_tsquery('english', :q)`;
    qb.andWhere(otherTextSql ? `(${ownText} OR ${otherTextSql})` : ownText);
  }
  return qb;
}

/** One key of the list order; the keys together are unique (the last one is the id). */
export interface SortKey {
  /** The expression over `t`; `{t}` stands for the alias, so the keyset condition can name another row. */
  sql: string;
  direction: 'ASC' | 'DESC';
  /** Nulls sort last whatever the direction (only the due dates can be null, when SLA is off). */
  nullable: boolean;
}

/** The order of spec §8: the chosen sort, then created_at desc, then id, so pages never repeat or skip rows. */
export function ticketSortKeys(query: TicketListQueryDto): SortKey[] {
  const sortBy = query.sort_by ?? 'created_at';
  const direction = (query.order ?? 'desc') === 'asc' ? 'ASC' : 'DESC';
  const first =
    sortBy === 'relevance'
      ? { sql: `ts_rank({t}.search_vector, websearch_to_tsquery('english', :q))`, nullable: false }
      : SORT_SQL[sortBy];
  const keys: SortKey[] = [{ ...first, direction }];
  if (sortBy !== 'created_at') keys.push({ sql: '{t}.created_at', direction: 'DESC', nullable: false });
  keys.push({ sql: '{t}.id', direction: 'ASC', nullable: false });
  return keys;
}

const on = (key: SortKey, alias: string): string => key.sql.replaceAll('{t}', alias);

export function applyTicketOrder<Row extends ObjectLiteral>(
  qb: SelectQueryBuilder<Row>,
  keys: readonly SortKey[],
): SelectQueryBuilder<Row> {
  keys.forEach((key, index) => {
    const nulls = key.nullable ? 'NULLS LAST' : undefined;
    if (index === 0) qb.orderBy(on(key, 't'), key.direction, nulls);
    else qb.addOrderBy(on(key, 't'), key.direction, nulls);
  });
  return qb;
}

/**
 * Keyset paging: only rows after the cursor's row in the list order. The cursor row's own values are read
 * in SQL (one primary-key look-up each, run once), so timestamps keep their microseconds and ranks their
 * exact float; the leading key also gets a plain range condition an index can start from.
 */
export function applyKeyset<Row extends ObjectLiteral>(
  qb: SelectQueryBuilder<Row>,
  keys: readonly SortKey[],
  cursorId: string,
): SelectQueryBuilder<Row> {
  qb.setParameter('cursorId', cursorId);
  const cursorValue = (key: SortKey) => `(SELECT ${on(key, 'c')} FROM tickets c WHERE c.id = :cursorId)`;
  const after = (key: SortKey): string => {
    const mine = on(key, 't');
    const theirs = cursorValue(key);
    const beyond = `${mine} ${key.direction === 'ASC' ? '>' : '<'} ${theirs}`;
    // Nulls last: after a null only nulls follow (ordered by the next keys); after a value, the nulls too.
    return key.nullable ? `(${theirs} IS NOT NULL AND (${beyond} OR ${mine} IS NULL))` : beyond;
  };
  const same = (key: SortKey): string => `${on(key, 't')} IS NOT DISTINCT FROM ${cursorValue(key)}`;
  const alternatives = keys.map((key, index) => [...keys.slice(0, index).map(same), after(key)].join(' AND '));
  const [lead] = keys;
  if (!lead.nullable) {
    qb.andWhere(`${on(lead, 't')} ${lead.direction === 'ASC' ? '>=' : '<='} ${cursorValue(lead)}`);
  }
  return qb.andWhere(`((${alternatives.join(') OR (')}))`);
}
