import { TicketPriority } from './enums';

export interface SlaTarget {
  /** Minutes from creation until a first response is due. */
  responseMinutes: number;
  /** Minutes from creation (or reopening) until resolution is due. */
  resolutionMinutes: number;
}

/**
 * Default SLA targets (spec §6). The first migration stores them as the initial policies; a suite checks
 * that the migrated rows equal these, so the package and the database cannot drift apart.
 */
export const DEFAULT_SLA_TARGETS: Readonly<Record<TicketPriority, SlaTarget>> = {
  [TicketPriority.P1]: { responseMinutes: 60, resolutionMinutes: 4 * 60 },
  [TicketPriority.P2]: { responseMinutes: 4 * 60, resolutionMinutes: 24 * 60 },
  [TicketPriority.P3]: { responseMinutes: 8 * 60, resolutionMinutes: 72 * 60 },
  [TicketPriority.P4]: { responseMinutes: 24 * 60, resolutionMinutes: 168 * 60 },
};
