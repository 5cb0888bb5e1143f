import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/auth/principal';
import { PluginRegistry } from '../../../common/ports/plugin-registry';

/** One merge, as the modules holding a ticket's rows need to know it. */
export interface TicketMerge {
  sourceId: string;
  /** `TKT-000123`, for the public comment on the target. */
  sourceNumber: string;
  targetId: string;
  actor: Principal;
  note: string | null;
  at: Date;
}

/**
 * Modules that keep rows of a ticket (comments, attachments) move them to the merge target inside the merge's
 * transaction, with history rows on both tickets; the tickets module never names them.
 */
export interface TicketMergeParticipant {
  moveToMergeTarget(merge: TicketMerge): Promise<void>;
}

@Injectable()
export class TicketMergeParticipants extends PluginRegistry<TicketMergeParticipant> {}
