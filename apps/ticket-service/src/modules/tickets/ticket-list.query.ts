import { TicketStatus } from '@ticketing/contracts';
import type { SelectQueryBuilder } from 'typeorm';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { BREACHED_SQL } from '../sla';
import { DomainError } from '../../common/errors/domain-error';
import type { TicketListQueryDto, TicketSortField } from './dto/ticket-list-query.dto';
import type { TicketTextSource } from './ticket-search';
import type { Ticket } from './ticket.entity';

const WORKFLOW_ORDER = Object.values(TicketStatus);

/** Sort expressions; only the due dates can be null (SLA off), and those go last. */
const SORT_SQL: Record<Exclude<TicketSortField, 'relevance'>, { sql: string; nullable: boolean }> = {
  created_at: { sql: 't.created_at', nullable: false },
  updated_at: { sql: 't.updated_at', nullable: false },
  priority: { sql: 't.priority', nullable: false },
  status: {
    sql: `array_position(ARRAY[${WORKFLOW_ORDER.map((s) => `'${s}'`).join(', ')}]::varchar[], t.status)`,
    nullable: false,
  },
  response_due_at: { sql: 't.response_due_at', nullable: true },
  resolution_due_at: { sql: 't.resolution_due_at', nullable: true },
  ticket_number: { sql: 't.ticket_number', nullable: false },
};

/**
 * Applies visibility, every filter of spec §8, the sort (ties broken by created_at desc, id so pages never
 * repeat or skip rows) to a query over `tickets t`.
 */
export function applyTicketListQuery(
  qb: SelectQueryBuilder<Ticket>,
  query: TicketListQueryDto,
  principal: Principal,
  now: Date,
  textSources: readonly TicketTextSource[] = [],
): SelectQueryBuilder<Ticket> {
  if (query.sort_by === 'relevance' && !query.q) {
    throw DomainError.validation('sort_by=relevance needs q', [
      { field: 'sort_by', message: 'relevance is only available with q' },
    ]);
  }
  qb.setParameter('now', now);
  if (!AccessPolicy.canSeeAllTickets(principal)) qb.andWhere('t.reporter_id = :me', { me: principal.id });

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
    // Text of other modules (comments) counts too, as far as the caller may see it.
    const includeInternal = AccessPolicy.canSeeInternal(principal);
    const elsewhere = textSources.map((source) => ` OR t.id IN (${source.matchingTicketIdsSql({ includeInternal })})`);
    qb.andWhere(`(t.search_vector @@ websearch_to_tsquery('english', :q)${elsewhere.join('')})`);
  }

  const sortBy = query.sort_by ?? 'created_at';
  const direction = (query.order ?? 'desc') === 'asc' ? 'ASC' : 'DESC';
  const sort =
    sortBy === 'relevance'
      ? { sql: `ts_rank(t.search_vector, websearch_to_tsquery('english', :q))`, nullable: false }
      : SORT_SQL[sortBy];
  // Plain column sorts stay plain so the (created_at DESC, id) index serves the default listing.
  qb.orderBy(sort.sql, direction, sort.nullable ? 'NULLS LAST' : undefined);
  if (sortBy !== 'created_at') qb.addOrderBy('t.created_at', 'DESC');
  return qb.addOrderBy('t.id', 'ASC');
}
