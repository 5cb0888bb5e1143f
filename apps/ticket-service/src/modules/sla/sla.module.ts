import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../../common/access/access.module';
import { TeamsModule } from '../teams/teams.module';
import { Ticket } from '../tickets/ticket.entity';
import { TeamMetricsController } from './team-metrics.controller';
import { TeamMetricsService } from './team-metrics.service';
import { SlaBreachScanner } from './sla-breach.scanner';
import { SlaPolicy } from './sla-policy.entity';
import { SlaController } from './sla.controller';
import { SlaPoliciesService } from './sla-policies.service';

@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicy, Ticket]), AccessModule, TeamsModule],
  controllers: [SlaController, TeamMetricsController],
  providers: [SlaPoliciesService, SlaBreachScanner, TeamMetricsService],
  exports: [SlaPoliciesService, SlaBreachScanner],
})
export class SlaModule {}
