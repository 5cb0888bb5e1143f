import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { queryNamed } from '../../database/named-query';
import { BREACHED_SQL, RESOLUTION_BREACHED_SQL } from '../sla';

const OPEN = `t.status NOT IN ('RESOLVED', 'CLOSED')`;
const IN_WINDOW = `t.created_at >= :from AND t.created_at < :to`;

interface StatisticsRow {
  open_total: string;
  breached_open: string;
  response_measured: string;
  response_met: string;
  resolution_measured: string;
  resolution_met: string;
  first_response_count: string;
  first_response_mean: number | null;
  first_response_p90: number | null;
  resolution_count: string;
  resolution_mean: number | null;
  resolution_p90: number | null;
}

/**
 * The whole report in two aggregate queries over the team's tickets (SQL does the counting, not Node). Durations
 * are those stored on each ticket, counted on its clock (working time for business-hours policies).
 */
const STATISTICS_SQL = `
  SELECT
    count(*) FILTER (WHERE ${OPEN}) AS open_total,
    count(*) FILTER (WHERE ${OPEN} AND ${BREACHED_SQL}) AS breached_open,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.response_due_at IS NOT NULL
                       AND (t.first_response_at IS NOT NULL OR t.response_due_at < :now)) AS response_measured,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.first_response_at <= t.response_due_at) AS response_met,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.resolution_due_at IS NOT NULL
                       AND (t.resolved_at IS NOT NULL OR ${RESOLUTION_BREACHED_SQL})) AS resolution_measured,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.resolved_at IS NOT NULL AND NOT ${RESOLUTION_BREACHED_SQL}) AS resolution_met,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.first_response_at IS NOT NULL) AS first_response_count,
    avg(t.time_to_first_response_seconds) FILTER (WHERE ${IN_WINDOW})::float8 AS first_response_mean,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY t.time_to_first_response_seconds)
      FILTER (WHERE ${IN_WINDOW} AND t.first_response_at IS NOT NULL)::float8 AS first_response_p90,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.resolved_at IS NOT NULL) AS resolution_count,
    avg(t.time_to_resolution_seconds) FILTER (WHERE ${IN_WINDOW})::float8 AS resolution_mean,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY t.time_to_resolution_seconds)
      FILTER (WHERE ${IN_WINDOW} AND t.resolved_at IS NOT NULL)::float8 AS resolution_p90
  FROM tickets t
  WHERE t.team_id = :team AND t.deleted_at IS NULL`;

const OPEN_BREAKDOWN_SQL = `
  SELECT t.status, t.priority, count(*)::int AS count
  FROM tickets t
  WHERE t.team_id = :team AND t.deleted_at IS NULL AND ${OPEN}
  GROUP BY t.status, t.priority`;

export interface DurationStatistics {
  count: number;
  meanSeconds: number | null;
  p90Seconds: number | null;
}

/** A team's tickets in numbers: open now, and SLA outcomes and times of those created in [from, to). */
export interface TeamTicketStatistics {
  open: { total: number; byStatus: Record<string, number>; byPriority: Record<string, number> };
  breachedOpen: number;
  response: { measured: number; met: number };
  resolution: { measured: number; met: number };
  timeToFirstResponse: DurationStatistics;
  timeToResolution: DurationStatistics;
}

export interface StatisticsWindow {
  from: Date;
  to: Date;
  now: Date;
}

/** Read model over `tickets` for team reports; the tickets module owns the table, so it owns this SQL. */
@Injectable()
export class TeamTicketStatisticsQuery {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async forTeam(teamId: string, { from, to, now }: StatisticsWindow): Promise<TeamTicketStatistics> {
    const params = { team: teamId, from, to, now };
    const [row] = await queryNamed<StatisticsRow>(this.txHost.tx, STATISTICS_SQL, params);
    const breakdown = await queryNamed<{ status: string; priority: string; count: number }>(
      this.txHost.tx,
      OPEN_BREAKDOWN_SQL,
      params,
    );
    const byStatus: Record<string, number> = {};
    const byPriority: Record<string, number> = {};
    for (const { status, priority, count } of breakdown) {
      byStatus[status] = (byStatus[status] ?? 0) + count;
      byPriority[priority] = (byPriority[priority] ?? 0) + count;
    }
    return {
      open: { total: Number(row.open_total), byStatus, byPriority },
      breachedOpen: Number(row.breached_open),
      response: { measured: Number(row.response_measured), met: Number(row.response_met) },
      resolution: { measured: Number(row.resolution_measured), met: Number(row.resolution_met) },
      timeToFirstResponse: {
        count: Number(row.first_response_count),
        meanSeconds: row.first_response_mean,
        p90Seconds: row.first_response_p90,
      },
      timeToResolution: {
        count: Number(row.resolution_count),
        meanSeconds: row.resolution_mean,
        p90Seconds: row.resolution_p90,
      },
    };
  }
}
