import type { HistoryChangeType } from '@ticketing/contracts';
import type { HistoryMetadata } from './ticket-history.entity';

/** One history row of an audited change, before the trail adds the ticket, the actor and the notes. */
export interface ChangeEntry {
  changeType: HistoryChangeType;
  fieldName: string | null;
  oldValue: string | null;
  newValue: string | null;
  metadata: HistoryMetadata;
}
