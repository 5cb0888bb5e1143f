import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { queryNamed } from '../../database/named-query';
import { In, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { AccessGate } from '../../common/access/access-gate';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { type Page, pageOffset, toPage } from '../../common/http/pagination';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { TicketListQueryDto } from './dto/ticket-list-query.dto';
import type { TicketDto } from './dto/ticket.dto';
import { decodeCursor, encodeCursor } from './ticket-list-cursor';
import { applyKeyset, applyTicketFilters, applyTicketOrder, ticketSortKeys } from './ticket-list.query';
import { TicketTextSources } from './ticket-search';
import { Ticket } from './ticket.entity';
import { toTicketDto } from './tickets.mapper';

/** Totals are counted up to this many matches; beyond, they are PostgreSQL's estimate (`total_exact: false`). */
export const EXACT_TOTAL_LIMIT = 1000;
/** `sort_by=relevance` ranks the newest this-many matches, so a word found in half the tickets stays fast. */
export const RELEVANCE_CANDIDATES = 1000;
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
}

/** GET /tickets: filters, search, order, offset or keyset paging, and totals that stay cheap at scale. */
@Injectable()
export class TicketListService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessGate,
    private readonly textSources: TicketTextSources,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Transactional()
  async list(principal: Principal, query: TicketListQueryDto): Promise<TicketListResult> {
    // Searches are bounded: a pathological query is cancelled instead of holding a connection.
    await this.txHost.tx.query(`SET LOCAL statement_timeout = ${this.config.db.searchStatementTimeoutMs}`);
    const now = this.clock.now();
    const sortBy = query.sort_by ?? 'created_at';
    const order = query.order ?? 'desc';
    const cursor = query.cursor ? decodeCursor(query.cursor, sortBy, order) : null;
    if (cursor && query.page !== 1) {
      throw DomainError.validation('Send either page or cursor', [{ field: 'page', message: 'not with cursor' }]);
    }
    const otherText = query.q ? await this.otherTextCondition(principal, query.q) : null;
    const filtered = (withOtherText = true): SelectQueryBuilder<Ticket> =>
      applyTicketFilters(
        this.txHost.tx.getRepository(Ticket).createQueryBuilder('t'),
        query,
        principal,
        now,
        withOtherText ? (otherText?.sql ?? null) : null,
      ).setParameters(withOtherText ? (otherText?.params ?? {}) : {});

    // The page's ids first (index-only where an index covers filter and order, so deep pages skip cheaply),
    // then its rows by primary key.
    const keys = ticketSortKeys(query);
    const ids = applyTicketOrder(
      sortBy === 'relevance' ? this.newestMatches(filtered()) : filtered().select('t.id', 'id'),
      keys,
    );
    if (cursor) applyKeyset(ids, keys, cursor.id);
    else ids.offset(pageOffset(query));
    // One row more than the page tells whether another page follows, without counting.
    const pageIds = (await ids.limit(query.page_size + 1).getRawMany<{ id: string }>()).map((row) => row.id);
    const hasMore = pageIds.length > query.page_size;
    const items = await this.loadInOrder(pageIds.slice(0, query.page_size));

    const offset = pageOffset(query);
    const countedByPaging = !cursor && !hasMore && (items.length > 0 || offset === 0);
    // The tickets' own text alone is a cheaper lower bound: when it already passes the limit, so does the whole.
    const total = countedByPaging
      ? { count: offset + items.length, exact: true }
      : await this.total(filtered(), otherText ? filtered(false) : null);
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
  private newestMatches(filtered: SelectQueryBuilder<Ticket>): SelectQueryBuilder<ObjectLiteral> {
    const candidates = filtered
      .select('t.id', 'id')
      .addSelect('t.created_at', 'created_at')
      .addSelect('t.search_vector', 'search_vector')
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .limit(RELEVANCE_CANDIDATES);
    return this.txHost.tx
      .createQueryBuilder()
      .select('t.id', 'id')
      .from(`(${candidates.getQuery()})`, 't')
      .setParameters(candidates.getParameters());
  }

  private async loadInOrder(ids: string[]): Promise<Ticket[]> {
    if (ids.length === 0) return [];
    const rows = await this.txHost.tx.getRepository(Ticket).findBy({ id: In(ids) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id)!);
  }

  /**
   * `q` also matches text other modules keep (comments). When few tickets match there, they are named, so
   * PostgreSQL can combine the search indexes of both tables. When many do, the word is common and the list
   * order meets matches quickly, so each row walked is probed instead: a scalar subquery, because PostgreSQL
   * would hash an IN or EXISTS over every matching comment first.
   */
  private async otherTextCondition(principal: Principal, q: string): Promise<Condition | null> {
    const sources = this.textSources.all;
    if (sources.length === 0) return null;
    const includeInternal = this.access.seesInternal(principal);
    const matching = sources.map((source) => source.matchingTicketIdsSql({ includeInternal })).join(' UNION ALL ');
    const rows = await queryNamed<{ ticket_id: string }>(
      this.txHost.tx,
      `SELECT m.ticket_id FROM (${matching}) m LIMIT ${OTHER_TEXT_TICKET_LIMIT + 1}`,
      { q },
    );
    if (rows.length > OTHER_TEXT_TICKET_LIMIT) {
      return { sql: `(SELECT true FROM (${matching}) m WHERE m.ticket_id = t.id LIMIT 1)`, params: {} };
    }
    const ids = [...new Set(rows.map((row) => row.ticket_id))];
    return ids.length === 0 ? null : { sql: 't.id = ANY(:otherTextTicketIds)', params: { otherTextTicketIds: ids } };
  }

  /**
   * Exact up to EXACT_TOTAL_LIMIT matches (counting stops there); beyond, the planner's estimate. `subset`
   * matches a part of the same rows, cheaper to count: past the limit, it settles the matter alone.
   */
  private async total(
    filtered: SelectQueryBuilder<Ticket>,
    subset: SelectQueryBuilder<Ticket> | null,
  ): Promise<{ count: number; exact: boolean }> {
    const matches = filtered.select('t.id');
    const subsetCount = subset ? await this.countUpToLimit(subset.select('t.id')) : 0;
    const count = subsetCount > EXACT_TOTAL_LIMIT ? subsetCount : await this.countUpToLimit(matches.clone());
    if (count <= EXACT_TOTAL_LIMIT) return { count, exact: true };
    const [all, params] = matches.getQueryAndParameters();
    const [{ 'QUERY PLAN': plan }] = await this.txHost.tx.query<
      { 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[]
    >(`EXPLAIN (FORMAT JSON) ${all}`, params);
    return { count: Math.max(EXACT_TOTAL_LIMIT + 1, Math.round(plan[0].Plan['Plan Rows'])), exact: false };
  }

  /** The number of matches, counting no further than one past the limit. */
  private async countUpToLimit(matches: SelectQueryBuilder<Ticket>): Promise<number> {
    const [capped, params] = matches.limit(EXACT_TOTAL_LIMIT + 1).getQueryAndParameters();
    const [{ count }] = await this.txHost.tx.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM (${capped}) m`,
      params,
    );
    return count;
  }
}
