import { Injectable } from '@nestjs/common';
import { PluginRegistry } from '../../common/ports/plugin-registry';

/** What a module holding references to teams does before one goes: refuse (throw) or let go of it. */
export interface TeamRemovalListener {
  beforeTeamRemoved(teamId: string): Promise<void>;
}

/** Modules that refer to teams (tickets) plug in here; the teams module never imports them. */
@Injectable()
export class TeamRemovalListeners extends PluginRegistry<TeamRemovalListener> {}
