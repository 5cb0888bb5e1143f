import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditSinks } from './audit-sinks';
import { AuditTrail } from './audit-trail';
import { EventFollowerSources } from './event-followers';
import { HistoryService } from './history.service';
import { TicketHistory } from './ticket-history.entity';

/** Owns `ticket_history` (append-only): the writer every audit subscriber uses, its reader, and the sink port. */
@Module({
  imports: [TypeOrmModule.forFeature([TicketHistory])],
  providers: [AuditTrail, AuditSinks, EventFollowerSources, HistoryService],
  exports: [AuditTrail, AuditSinks, EventFollowerSources, HistoryService],
})
export class HistoryModule {}
