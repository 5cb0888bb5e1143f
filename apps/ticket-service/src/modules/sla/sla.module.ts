import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SlaPolicy } from './sla-policy.entity';
import { SlaController } from './sla.controller';
import { SlaPoliciesService } from './sla-policies.service';

/** Owns `sla_policies`; the SLA arithmetic and its SQL twins are pure and exported with it. */
@Module({
  imports: [TypeOrmModule.forFeature([SlaPolicy])],
  controllers: [SlaController],
  providers: [SlaPoliciesService],
  exports: [SlaPoliciesService],
})
export class SlaModule {}
