import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HistoryModule } from '../history';
import { SlaModule } from '../sla';
import { TeamsModule } from '../teams';
import { TicketBulkController } from './bulk/ticket-bulk.controller';
import { TicketBulkService } from './bulk/ticket-bulk.service';
import { TicketFollower } from './followers/ticket-follower.entity';
import { TicketFollowersController } from './followers/ticket-followers.controller';
import { TicketFollowersService } from './followers/ticket-followers.service';
import { TicketLink } from './links/ticket-link.entity';
import { TicketLinksController } from './links/ticket-links.controller';
import { TicketLinksService } from './links/ticket-links.service';
import { TicketMergeController } from './merge/ticket-merge.controller';
import { TicketMergeParticipants } from './merge/ticket-merge-participants';
import { TicketMergeService } from './merge/ticket-merge.service';
import { SlaBreachScanner } from './sla-breach.scanner';
import { TeamTicketStatisticsQuery } from './team-ticket-statistics';
import { TicketAuditSubscriber } from './ticket-audit.subscriber';
import { TicketFinder } from './ticket-finder';
import { TicketHistoryController } from './ticket-history.controller';
import { TicketListService } from './ticket-list.service';
import { TicketTextSources } from './ticket-search';
import { Ticket } from './ticket.entity';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

/**
 * Owns `tickets` (the only module that writes it: its services, its audit subscriber, the breach scanner) and the
 * tickets' links and followers.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Ticket, TicketLink, TicketFollower]), SlaModule, TeamsModule, HistoryModule],
  controllers: [
    TicketsController,
    TicketHistoryController,
    TicketBulkController,
    TicketLinksController,
    TicketFollowersController,
    TicketMergeController,
  ],
  providers: [
    TicketsService,
    TicketFinder,
    TicketListService,
    TicketAuditSubscriber,
    SlaBreachScanner,
    TeamTicketStatisticsQuery,
    TicketTextSources,
    TicketLinksService,
    TicketFollowersService,
    TicketMergeService,
    TicketMergeParticipants,
    TicketBulkService,
  ],
  exports: [TicketsService, TeamTicketStatisticsQuery, TicketTextSources, SlaBreachScanner, TicketMergeParticipants],
})
export class TicketsModule {}
