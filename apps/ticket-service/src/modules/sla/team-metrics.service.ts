import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AccessPolicy } from '../../common/access/access-policy';
import { AccessService, require403 } from '../../common/access/access.service';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { TeamDirectory } from '../teams/team-directory';
import type { DurationStatsDto, SlaComplianceDto, TeamMetricsDto, TeamMetricsQueryDto } from './dto/team-metrics.dto';
import { BREACHED_SQL, RESOLUTION_BREACHED_SQL } from './sla-breach.sql';

const DEFAULT_WINDOW_MS = 30 * 86_400_000;
const OPEN = `t.status NOT IN ('RESOLVED', 'CLOSED')`;
const IN_WINDOW = `t.created_at >= :from AND t.created_at < :to`;

interface MetricsRow {
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

/** The whole report in two aggregate queries over the team's tickets (SQL does the counting, not Node). */
const METRICS_SQL = `
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
    avg(extract(epoch FROM t.first_response_at - t.created_at)) FILTER (WHERE ${IN_WINDOW})::float8 AS first_response_mean,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_response_at - t.created_at))
      FILTER (WHERE ${IN_WINDOW} AND t.first_response_at IS NOT NULL)::float8 AS first_response_p90,
    count(*) FILTER (WHERE ${IN_WINDOW} AND t.resolved_at IS NOT NULL) AS resolution_count,
    avg(extract(epoch FROM t.resolved_at - t.created_at)) FILTER (WHERE ${IN_WINDOW})::float8 AS resolution_mean,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.resolved_at - t.created_at))
      FILTER (WHERE ${IN_WINDOW} AND t.resolved_at IS NOT NULL)::float8 AS resolution_p90
  FROM tickets t
  WHERE t.team_id = :team AND t.deleted_at IS NULL`;

const OPEN_BREAKDOWN_SQL = `
  SELECT t.status, t.priority, count(*)::int AS count
  FROM tickets t
  WHERE t.team_id = :team AND t.deleted_at IS NULL AND ${OPEN}
  GROUP BY t.status, t.priority`;

function compliance(measured: number, met: number): SlaComplianceDto {
  return { measured, met, compliance_percent: measured === 0 ? null : Math.round((met / measured) * 10_000) / 100 };
}

function duration(count: number, mean: number | null, p90: number | null): DurationStatsDto {
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  return { count, mean_seconds: round(mean), p90_seconds: round(p90) };
}

@Injectable()
export class TeamMetricsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessService,
    private readonly teams: TeamDirectory,
    private readonly clock: Clock,
  ) {}

  async report(principal: Principal, teamId: string, query: TeamMetricsQueryDto): Promise<TeamMetricsDto> {
    if (!(await this.teams.exists(teamId))) throw DomainError.notFound('Team');
    require403(
      AccessPolicy.canReadTeamMetrics(await this.access.actor(principal), teamId),
      'Only a lead of this team, a manager or an admin may read its metrics',
    );
    const now = this.clock.now();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (from.getTime() >= to.getTime()) {
      throw DomainError.validation('from must be before to', [{ field: 'from', message: 'must be before to' }]);
    }
    const params = { team: teamId, from, to, now };
    const [row] = await this.run<MetricsRow>(METRICS_SQL, params);
    const breakdown = await this.run<{ status: string; priority: string; count: number }>(OPEN_BREAKDOWN_SQL, params);
    const byStatus: Record<string, number> = {};
    const byPriority: Record<string, number> = {};
    for (const { status, priority, count } of breakdown) {
      byStatus[status] = (byStatus[status] ?? 0) + count;
      byPriority[priority] = (byPriority[priority] ?? 0) + count;
    }
    return {
      team_id: teamId,
      from: from.toISOString(),
      to: to.toISOString(),
      open_tickets: { total: Number(row.open_total), by_status: byStatus, by_priority: byPriority },
      breached_open: Number(row.breached_open),
      response_sla: compliance(Number(row.response_measured), Number(row.response_met)),
      resolution_sla: compliance(Number(row.resolution_measured), Number(row.resolution_met)),
      time_to_first_response: duration(
        Number(row.first_response_count),
        row.first_response_mean,
        row.first_response_p90,
      ),
      time_to_resolution: duration(Number(row.resolution_count), row.resolution_mean, row.resolution_p90),
    };
  }

  /** Named parameters through TypeORM's escaping, so the SQL above stays readable. */
  private run<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    const [query, values] = this.txHost.tx.connection.driver.escapeQueryWithParameters(sql, params);
    return this.txHost.tx.query<T[]>(query, values);
  }
}
