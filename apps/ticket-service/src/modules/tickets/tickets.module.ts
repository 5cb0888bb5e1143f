import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryModule } from '../history';
import { SlaModule } from '../sla';
import { TeamsModule } from '../teams';
import { SlaBreachScanner } from './sla-breach.scanner';
import { TeamTicketStatisticsQuery } from './team-ticket-statistics';
import { TicketAuditSubscriber } from './ticket-audit.subscriber';
import { TicketHistoryController } from './ticket-history.controller';
import { TicketListService } from './ticket-list.service';
import { TicketTextSources } from './ticket-search';
import { Ticket } from './ticket.entity';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

/** Owns `tickets`: the only module that writes it (its service, its audit subscriber, the breach scanner). */
@Module({
  imports: [TypeOrmModule.forFeature([Ticket]), SlaModule, TeamsModule, HistoryModule],
  controllers: [TicketsController, TicketHistoryController],
  providers: [
    TicketsService,
    TicketListService,
    TicketAuditSubscriber,
    SlaBreachScanner,
    TeamTicketStatisticsQuery,
    TicketTextSources,
  ],
  exports: [TicketsService, TeamTicketStatisticsQuery, TicketTextSources, SlaBreachScanner],
})
export class TicketsModule {}
