import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PluginRegistry } from '../../common/ports/plugin-registry';

/**
 * Who follows the tickets of a batch of events. The tickets module answers; the trail puts the ids into each
 * event's `data.follower_ids` so a notification service can fan out (libs/contracts FOLLOWER_IDS_FIELD).
 */
export interface EventFollowerSource {
  /** Follower ids by ticket id, read through the change's manager; tickets without followers may be absent. */
  followersOf(manager: EntityManager, ticketIds: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>>;
}

@Injectable()
export class EventFollowerSources extends PluginRegistry<EventFollowerSource> {}
