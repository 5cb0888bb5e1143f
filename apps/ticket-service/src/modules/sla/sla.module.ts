import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TeamsModule } from '../teams';
import { SlaCalendar } from './sla-calendar.entity';
import { SlaCalendarController, TeamCalendarController } from './sla-calendar.controller';
import { SlaCalendarsService } from './sla-calendars.service';
import { SlaPolicy } from './sla-policy.entity';
import { SlaController } from './sla.controller';
import { SlaPoliciesService } from './sla-policies.service';

/**
 * Owns `sla_policies` and `sla_calendars`; the SLA arithmetic (round the clock or in business hours) and its SQL
 * twins are pure and exported with it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicy, SlaCalendar]), TeamsModule],
  controllers: [SlaController, SlaCalendarController, TeamCalendarController],
  providers: [SlaPoliciesService, SlaCalendarsService],
  exports: [SlaPoliciesService, SlaCalendarsService],
})
export class SlaModule {}
