export {
  type AuditedEvents,
  type AuditEvent,
  type AuditSink,
  AuditSinks,
  type EventData,
  type JsonValue,
} from './audit-sinks';
export { AuditTrail } from './audit-trail';
export type { ChangeEntry } from './change-entry';
export { HistoryEntryDto, HistoryPageDto } from './history.dto';
export { HistoryModule } from './history.module';
export { HistoryService } from './history.service';
export type { HistoryMetadata } from './ticket-history.entity';
