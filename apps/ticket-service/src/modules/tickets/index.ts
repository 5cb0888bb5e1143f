export { type AlertWindows, type FiringAlert } from './alert-tickets';
export { SlaBreachScanner } from './sla-breach.scanner';
export {
  type DurationStatistics,
  type TeamTicketStatistics,
  TeamTicketStatisticsQuery,
} from './team-ticket-statistics';
export {
  type TicketMerge,
  type TicketMergeParticipant,
  TicketMergeParticipants,
} from './merge/ticket-merge-participants';
export type { TicketRef } from './ticket-ref';
export { type TicketTextSource, TicketTextSources } from './ticket-search';
export { assertNotClosed } from './ticket-transitions';
export { TicketsModule } from './tickets.module';
export { type AlertTicketResult, TicketsService } from './tickets.service';
