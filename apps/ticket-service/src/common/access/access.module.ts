import { Module } from '@nestjs/common';
import { TeamsModule } from '../../modules/teams/teams.module';
import { AccessService } from './access.service';

@Module({ imports: [TeamsModule], providers: [AccessService], exports: [AccessService] })
export class AccessModule {}
