import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Ticket } from '../tickets/ticket.entity';
import { SlaBreachScanner } from './sla-breach.scanner';
import { SlaPolicy } from './sla-policy.entity';
import { SlaController } from './sla.controller';
import { SlaPoliciesService } from './sla-policies.service';

@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicy, Ticket])],
  controllers: [SlaController],
  providers: [SlaPoliciesService, SlaBreachScanner],
  exports: [SlaPoliciesService, SlaBreachScanner],
})
export class SlaModule {}
