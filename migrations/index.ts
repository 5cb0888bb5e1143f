import { InitialSchema1764201600000 } from './1764201600000-initial-schema';
import { OutboxEvents1764288000000 } from './1764288000000-outbox-events';
import { CommentsAttachments1764374400000 } from './1764374400000-comments-attachments';
import { Webhooks1764460800000 } from './1764460800000-webhooks';
import { AttachmentInternalFlag1764547200000 } from './1764547200000-attachment-internal-flag';
import { SlaScanIndexes1764640800000 } from './1764640800000-sla-scan-indexes';
import { TicketListIndexes1764727200000 } from './1764727200000-ticket-list-indexes';
import { AttachmentStorageIntents1764813600000 } from './1764813600000-attachment-storage-intents';
import { TicketLinksFollowersMerge1764900000000 } from './1764900000000-ticket-links-followers-merge';
import { AlertIntake1764986400000 } from './1764986400000-alert-intake';
import { BusinessHoursSla1765072800000 } from './1765072800000-business-hours-sla';

/** Every migration, oldest first. Landed migrations are never edited: add a new one instead. */
export const ALL_MIGRATIONS: Function[] = [
  InitialSchema1764201600000,
  OutboxEvents1764288000000,
  CommentsAttachments1764374400000,
  Webhooks1764460800000,
  AttachmentInternalFlag1764547200000,
  SlaScanIndexes1764640800000,
  TicketListIndexes1764727200000,
  AttachmentStorageIntents1764813600000,
  TicketLinksFollowersMerge1764900000000,
  AlertIntake1764986400000,
  BusinessHoursSla1765072800000,
];
