export { ROUND_THE_CLOCK, type SlaTimeline } from './business-time';
export {
  BREACHED_SQL,
  RESOLUTION_BREACHED_SQL,
  RESOLUTION_WARNING_SQL,
  RESPONSE_BREACHED_SQL,
  RESPONSE_WARNING_SQL,
  SLA_WARNING_SHARE,
} from './sla-breach.sql';
export {
  computeBreaches,
  computeDueDates,
  computeWarnings,
  pauseSecondsEndingAt,
  resolutionAfterPause,
} from './sla-calculator';
export { SlaCalendarsService } from './sla-calendars.service';
export { SlaModule } from './sla.module';
export { SlaPoliciesService, type SlaTerms } from './sla-policies.service';
