export {
  type AuditedEvents,
  type AuditEvent,
  type AuditSink,
  AuditSinks,
  type BindParameter,
  type EventData,
  type JsonValue,
  type StatementPart,
} from './audit-sinks';
export { type AuditedChange, AuditTrail } from './audit-trail';
export type { ChangeEntry } from './change-entry';
export { type EventFollowerSource, EventFollowerSources } from './event-followers';
export { HistoryEntryDto, HistoryPageDto } from './history.dto';
export { HistoryModule } from './history.module';
export { HistoryService } from './history.service';
export type { HistoryMetadata } from './ticket-history.entity';
