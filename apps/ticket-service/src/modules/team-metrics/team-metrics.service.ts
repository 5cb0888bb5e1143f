import { Injectable } from '@nestjs/common';
import { AccessGate, require403 } from '../../common/access/access-gate';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { TeamDirectory } from '../teams';
import { type DurationStatistics, TeamTicketStatisticsQuery } from '../tickets';
import type { DurationStatsDto, SlaComplianceDto, TeamMetricsDto, TeamMetricsQueryDto } from './dto/team-metrics.dto';

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

function compliance({ measured, met }: { measured: number; met: number }): SlaComplianceDto {
  return { measured, met, compliance_percent: measured === 0 ? null : Math.round((met / measured) * 10_000) / 100 };
}

function duration({ count, meanSeconds, p90Seconds }: DurationStatistics): DurationStatsDto {
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  return { count, mean_seconds: round(meanSeconds), p90_seconds: round(p90Seconds) };
}

@Injectable()
export class TeamMetricsService {
  constructor(
    private readonly access: AccessGate,
    private readonly teams: TeamDirectory,
    private readonly statistics: TeamTicketStatisticsQuery,
    private readonly clock: Clock,
  ) {}

  async report(principal: Principal, teamId: string, query: TeamMetricsQueryDto): Promise<TeamMetricsDto> {
    if (!(await this.teams.exists(teamId))) throw DomainError.notFound('Team');
    require403(AccessPolicy.refuseReadTeamMetrics(await this.access.actor(principal), teamId));
    const now = this.clock.now();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (from.getTime() >= to.getTime()) {
      throw DomainError.validation('from must be before to', [{ field: 'from', message: 'must be before to' }]);
    }
    const stats = await this.statistics.forTeam(teamId, { from, to, now });
    return {
      team_id: teamId,
      from: from.toISOString(),
      to: to.toISOString(),
      open_tickets: { total: stats.open.total, by_status: stats.open.byStatus, by_priority: stats.open.byPriority },
      breached_open: stats.breachedOpen,
      response_sla: compliance(stats.response),
      resolution_sla: compliance(stats.resolution),
      time_to_first_response: duration(stats.timeToFirstResponse),
      time_to_resolution: duration(stats.timeToResolution),
    };
  }
}
