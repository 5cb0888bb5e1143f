import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditSinks } from './audit-sinks';
import { AuditTrail } from './audit-trail';
import { HistoryService } from './history.service';
import { TicketHistory } from './ticket-history.entity';

/** Owns `ticket_history` (append-only): the writer every audit subscriber uses, its reader, and the sink port. */
@Module({
  imports: [TypeOrmModule.forFeature([TicketHistory])],
  providers: [AuditTrail, AuditSinks, HistoryService],
  exports: [AuditTrail, AuditSinks, HistoryService],
})
export class HistoryModule {}
