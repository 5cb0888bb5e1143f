import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams';
import { TicketsModule } from '../tickets';
import { TeamMetricsController } from './team-metrics.controller';
import { TeamMetricsService } from './team-metrics.service';

/** A team's SLA report; owns no table and reads the tickets module's statistics. */
@Module({
  imports: [TeamsModule, TicketsModule],
  controllers: [TeamMetricsController],
  providers: [TeamMetricsService],
})
export class TeamMetricsModule {}
