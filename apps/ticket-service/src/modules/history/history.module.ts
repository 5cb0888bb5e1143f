import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TicketsModule } from '../tickets/tickets.module';
import { AuditTrail } from './audit-trail';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';
import { TicketAuditSubscriber } from './ticket-audit.subscriber';
import { TicketHistory } from './ticket-history.entity';

@Module({
  imports: [TypeOrmModule.forFeature([TicketHistory]), TicketsModule],
  controllers: [HistoryController],
  providers: [HistoryService, TicketAuditSubscriber, AuditTrail],
  exports: [AuditTrail],
})
export class HistoryModule {}
