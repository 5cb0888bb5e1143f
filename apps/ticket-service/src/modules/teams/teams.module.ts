import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TeamMembership } from '../../common/access/team-membership';
import { TeamDirectory } from './team-directory';
import { TeamRemovalListeners } from './team-removal';
import { Team, TeamMember } from './team.entity';
import { TeamsController } from './teams.controller';
import { TeamsService } from './teams.service';

/** Owns `teams` and `team_members`. */
@Module({
  imports: [TypeOrmModule.forFeature([Team, TeamMember])],
  controllers: [TeamsController],
  providers: [
    TeamsService,
    TeamDirectory,
    TeamRemovalListeners,
    { provide: TeamMembership, useExisting: TeamDirectory },
  ],
  exports: [TeamDirectory, TeamRemovalListeners, TeamMembership],
})
export class TeamsModule {}
