import { Injectable } from '@nestjs/common';
import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { queryNamed } from '../../database/named-query';
import { SearchDatabase } from '../../database/search-database';
import { AccessGate } from '../../common/access/access-gate';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { type Page, pageOffset, toPage } from '../../common/http/pagination';
import { TICKET_SORT_FIELDS, type TicketListQueryDto } from './dto/ticket-list-query.dto';
import type { TicketDto } from './dto/ticket.dto';
import { decodeCursor, encodeCursor } from './ticket-list-cursor';
import { applyKeyset, applyTicketFilters, applyTicketOrder, ticketSortKeys } from './ticket-list.query';
import { TicketTextSources } from './ticket-search';
import { Ticket } from './ticket.entity';
import { toTicketDto } from './tickets.mapper';

/** Totals are counted up to this many matches; beyond, they are PostgreSQL's estimate (`X-Total-Exact: false`). */
export const EXACT_TOTAL_LIMIT = 1000;
/** `sort_by=relevance` ranks the newest this-many matches, so a word found in half the tickets stays fast. */
export const RELEVANCE_CANDIDATES = 1000;
/** Above this estimate, counting is skipped: the total is the estimate, far past the exact limit anyway. */
const ESTIMATE_ONLY_ABOVE = 10 * EXACT_TOTAL_LIMIT;
/** The columns a sort key (but relevance, which ranks candidates of its own) or the keyset condition reads. */
const SORTABLE_COLUMNS = ['id', ...TICKET_SORT_FIELDS.filter((field) => field !== 'relevance')];
/** The common table expression of a search with few matches (see collectedMatches). */
const COLLECTED_MATCHES = 'collected_matches';
/** Up to this many tickets matched by other modules' text are named, so the search indexes serve the query. */
const OTHER_TEXT_TICKET_LIMIT = 1000;

/** A page of the list, whether its total was counted, and the cursor of the rows after it (null at the end). */
export interface TicketListResult {
  page: Page<TicketDto>;
  totalExact: boolean;
  nextCursor: string | null;
}

interface Condition {
  sql: string;
  params: Record<string, unknown>;
  /** Probes each row walked (many tickets match), rather than naming the matching tickets. */
  probes?: boolean;
  /** The planner's estimate of the text matches other modules keep, when they were too many to name. */
  matchesEstimate?: number;
}

/** GET /tickets: filters, search, order, offset or keyset paging, and totals that stay cheap at scale. */
@Injectable()
export class TicketListService {
  constructor(
    private readonly search: SearchDatabase,
    private readonly access: AccessGate,
    private readonly textSources: TicketTextSources,
    private readonly clock: Clock,
  ) {}

  /** Runs on the search connections: every statement is bounded by the search timeout. */
  list(principal: Principal, query: TicketListQueryDto): Promise<TicketListResult> {
    return this.search.run((db) => this.listOn(db, principal, query));
  }

  private async listOn(db: EntityManager, principal: Principal, query: TicketListQueryDto): Promise<TicketListResult> {
    const now = this.clock.now();
    const sortBy = query.sort_by ?? 'created_at';
    const order = query.order ?? 'desc';
    const cursor = query.cursor ? decodeCursor(query.cursor, sortBy, order) : null;
    if (cursor && query.page !== 1) {
      throw DomainError.validation('Send either page or cursor', [{ field: 'page', message: 'not with cursor' }]);
    }
    const filtered = (otherText: Condition | null): SelectQueryBuilder<Ticket> =>
      applyTicketFilters(
        db.getRepository(Ticket).createQueryBuilder('t'),
        query,
        principal,
        now,
        otherText?.sql ?? null,
      ).setParameters(otherText?.params ?? {});
    // With q, the planner's estimate of the tickets matching by their own text tells a common word from a
    // rare one before anything is read: for a common word, neither comment matches nor a count are needed.
    const ownTextEstimate = query.q ? await this.estimate(db, filtered(null)) : null;
    const otherText = query.q ? await this.otherTextCondition(db, principal, query.q, ownTextEstimate ?? 0) : null;

    // The page's ids (index-only where an index covers filter and order, so deep pages skip cheaply), then its
    // rows by primary key, in one statement; one row more than the page tells whether another page follows.
    // A search whose own-text matches are few, with its comment matches named, has few matches in all (under
    // ESTIMATE_ONLY_ABOVE + OTHER_TEXT_TICKET_LIMIT): they are collected once (COLLECTED_MATCHES), then ordered
    // for the page and counted, in the page's own statement. Walking the order's index instead, as the planner
    // tends to when it overrates the matches, reads tens of thousands of rows to find a page of a rare word at
    // 10M tickets.
    const fewMatches = ownTextEstimate !== null && ownTextEstimate < ESTIMATE_ONLY_ABOVE && !otherText?.probes;
    const collected = fewMatches ? collectedMatches(filtered(otherText)) : null;
    const keys = ticketSortKeys(query);
    const ids = applyTicketOrder(
      sortBy === 'relevance'
        ? this.newestMatches(db, filtered(otherText))
        : collected
          ? db.createQueryBuilder().select('t.id', 'id').from(COLLECTED_MATCHES, 't')
          : filtered(otherText).select('t.id', 'id'),
      keys,
    );
    if (cursor) applyKeyset(ids, keys, cursor.id);
    else ids.offset(pageOffset(query));
    ids.limit(query.page_size + 1);
    const pageQuery = db
      .getRepository(Ticket)
      .createQueryBuilder('ticket')
      // ARRAY(…) keeps the subquery's order, WITH ORDINALITY numbers it.
      .innerJoin(
        `(SELECT * FROM unnest(ARRAY(${ids.getQuery()})) WITH ORDINALITY AS page(id, ord))`,
        'page',
        'page.id = ticket.id',
      )
      .setParameters(ids.getParameters())
      .orderBy('page.ord', 'ASC');
    if (collected) {
      pageQuery
        .addCommonTableExpression(collected.getQuery(), COLLECTED_MATCHES, { materialized: true })
        .setParameters(collected.getParameters())
        .addSelect(
          `(SELECT count(*)::int FROM (SELECT FROM ${COLLECTED_MATCHES} LIMIT ${EXACT_TOTAL_LIMIT + 1}) m)`,
          'matches',
        );
    }
    const { entities: found, raw } = await pageQuery.getRawAndEntities<{ matches: number }>();
    const hasMore = found.length > query.page_size;
    const items = found.slice(0, query.page_size);

    const offset = pageOffset(query);
    const countedByPaging = !cursor && !hasMore && (items.length > 0 || offset === 0);
    const total = countedByPaging
      ? { count: offset + items.length, exact: true }
      : otherText?.matchesEstimate !== undefined
        ? await this.probedTotal(
            db,
            applyTicketFilters(
              db.getRepository(Ticket).createQueryBuilder('t'),
              { ...query, q: undefined, sort_by: undefined },
              principal,
              now,
              null,
            ),
            (ownTextEstimate ?? 0) + otherText.matchesEstimate,
            offset + items.length,
          )
        : await this.total(db, filtered(otherText), ownTextEstimate, raw.length > 0 ? (raw[0].matches ?? null) : null);
    return {
      page: toPage(
        items.map((ticket) => toTicketDto(ticket, now)),
        total.count,
        query,
      ),
      totalExact: total.exact,
      nextCursor: hasMore ? encodeCursor({ id: items[items.length - 1].id, sortBy, order }) : null,
    };
  }

  /**
   * The candidates `sort_by=relevance` ranks: the newest RELEVANCE_CANDIDATES matches, as a derived table
   * named like the tickets (`t`), with what the ranking and the tie-breaks need.
   */
  private newestMatches(db: EntityManager, filtered: SelectQueryBuilder<Ticket>): SelectQueryBuilder<ObjectLiteral> {
    const candidates = filtered
      .select('t.id', 'id')
      .addSelect('t.created_at', 'created_at')
      .addSelect('t.search_vector', 'search_vector')
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .limit(RELEVANCE_CANDIDATES);
    return db
      .createQueryBuilder()
      .select('t.id', 'id')
      .from(`(${candidates.getQuery()})`, 't')
      .setParameters(candidates.getParameters());
  }

  /**
   * `q` also matches text other modules keep (comments). When few tickets match there, they are named, so
   * PostgreSQL can combine the search indexes of both tables. When many do, the word is common and the list
   * order meets matches quickly, so each row walked is probed instead: a scalar subquery, because PostgreSQL
   * would hash an IN or EXISTS over every matching comment first. A word common in the tickets' own text is
   * probed without looking: its matches are met at once either way.
   */
  private async otherTextCondition(
    db: EntityManager,
    principal: Principal,
    q: string,
    ownTextEstimate: number,
  ): Promise<Condition | null> {
    const sources = this.textSources.all;
    if (sources.length === 0) return null;
    const includeInternal = this.access.seesInternal(principal);
    const matching = sources.map((source) => source.matchingTicketIdsSql({ includeInternal })).join(' UNION ALL ');
    const probe = {
      sql: `(SELECT true FROM (${matching}) m WHERE m.ticket_id = t.id LIMIT 1)`,
      params: {},
      probes: true,
    };
    if (ownTextEstimate >= ESTIMATE_ONLY_ABOVE) return probe;
    const rows = await queryNamed<{ ticket_id: string }>(
      db,
      `SELECT m.ticket_id FROM (${matching}) m LIMIT ${OTHER_TEXT_TICKET_LIMIT + 1}`,
      { q },
    );
    if (rows.length > OTHER_TEXT_TICKET_LIMIT) {
      // The planner cannot tell how selective the probe is (it assumes half the rows): the total of such a
      // search is estimated from the two sides instead.
      const [sql, params] = db.connection.driver.escapeQueryWithParameters(`SELECT m.ticket_id FROM (${matching}) m`, {
        q,
      });
      const planned = await this.plannedRows(db, sql, params);
      return { ...probe, matchesEstimate: Math.max(planned, OTHER_TEXT_TICKET_LIMIT + 1) };
    }
    const ids = [...new Set(rows.map((row) => row.ticket_id))];
    return ids.length === 0 ? null : { sql: 't.id = ANY(:otherTextTicketIds)', params: { otherTextTicketIds: ids } };
  }

  /**
   * Exact up to EXACT_TOTAL_LIMIT matches (counting stops there); beyond, the planner's estimate. When the
   * estimate (or `lowerEstimate`, of a part of the same rows) is far past the limit, nothing is counted.
   * `counted`: the capped count, when the page's statement already made it.
   */
  private async total(
    db: EntityManager,
    filtered: SelectQueryBuilder<Ticket>,
    lowerEstimate: number | null,
    counted: number | null,
  ): Promise<{ count: number; exact: boolean }> {
    if (counted !== null && counted <= EXACT_TOTAL_LIMIT) return { count: counted, exact: true };
    const estimate =
      lowerEstimate !== null && lowerEstimate >= ESTIMATE_ONLY_ABOVE
        ? lowerEstimate
        : await this.estimate(db, filtered);
    if (counted === null && estimate >= ESTIMATE_ONLY_ABOVE) return { count: Math.round(estimate), exact: false };
    const count = counted ?? (await this.countUpToLimit(db, filtered));
    if (count <= EXACT_TOTAL_LIMIT) return { count, exact: true };
    return { count: Math.max(EXACT_TOTAL_LIMIT + 1, Math.round(estimate)), exact: false };
  }

  /**
   * The total of a search that probes other modules' text: never counted (each row would be probed), and not
   * the planner's estimate of the whole filter, which takes the probe to match half the rows. Estimated as the
   * smaller of the rows the other filters allow and the text matches on both sides; never below the rows seen.
   */
  private async probedTotal(
    db: EntityManager,
    withoutText: SelectQueryBuilder<Ticket>,
    textMatches: number,
    seen: number,
  ): Promise<{ count: number; exact: boolean }> {
    const allowed = await this.estimate(db, withoutText);
    return { count: Math.max(seen, Math.round(Math.min(allowed, textMatches))), exact: false };
  }

  /** PostgreSQL's estimate of the number of matches (planning only, nothing is read). */
  private estimate(db: EntityManager, filtered: SelectQueryBuilder<Ticket>): Promise<number> {
    return this.plannedRows(db, ...filtered.clone().select('t.id').getQueryAndParameters());
  }

  private async plannedRows(db: EntityManager, sql: string, params: unknown[]): Promise<number> {
    const [{ 'QUERY PLAN': plan }] = await db.query<{ 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[]>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      params,
    );
    return plan[0].Plan['Plan Rows'];
  }

  /** The number of matches, counting no further than one past the limit. */
  private async countUpToLimit(db: EntityManager, filtered: SelectQueryBuilder<Ticket>): Promise<number> {
    const [capped, params] = cappedMatches(filtered).getQueryAndParameters();
    const [{ count }] = await db.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM (${capped}) m`, params);
    return count;
  }
}

/**
 * Every match, for the materialized COLLECTED_MATCHES: found once through the search indexes, then both ordered
 * for the page and counted. It carries only the columns the order and the keyset condition read: with `t.*`
 * every match's text and search vector were read to be sorted.
 */
function collectedMatches(filtered: SelectQueryBuilder<Ticket>): SelectQueryBuilder<Ticket> {
  const [first, ...rest] = SORTABLE_COLUMNS;
  return rest.reduce((qb, column) => qb.addSelect(`t.${column}`, column), filtered.select(`t.${first}`, first));
}

/** The matches' ids, no more than one past the exact-total limit: what a capped count counts. */
function cappedMatches(filtered: SelectQueryBuilder<Ticket>): SelectQueryBuilder<Ticket> {
  return filtered
    .clone()
    .select('t.id')
    .limit(EXACT_TOTAL_LIMIT + 1);
}
