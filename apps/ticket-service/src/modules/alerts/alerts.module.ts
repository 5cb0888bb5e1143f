import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommentsModule } from '../comments';
import { TeamsModule } from '../teams';
import { TicketsModule } from '../tickets';
import { AlertRoute } from './alert-route.entity';
import { AlertRoutesController, AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Owns `alert_routes`; opens and updates tickets only through the tickets module's service. */
@Module({
  imports: [TypeOrmModule.forFeature([AlertRoute]), TicketsModule, TeamsModule, CommentsModule],
  controllers: [AlertsController, AlertRoutesController],
  providers: [AlertsService],
})
export class AlertsModule {}
