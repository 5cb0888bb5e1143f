export { TeamDirectory } from './team-directory';
export { type TeamRemovalListener, TeamRemovalListeners } from './team-removal';
export { TeamsModule } from './teams.module';
