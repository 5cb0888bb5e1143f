export {
  BREACHED_SQL,
  RESOLUTION_BREACHED_SQL,
  RESOLUTION_WARNING_SQL,
  RESPONSE_BREACHED_SQL,
  RESPONSE_WARNING_SQL,
  SLA_WARNING_SHARE,
} from './sla-breach.sql';
export { computeBreaches, computeDueDates, computeWarnings, pauseSecondsEndingAt } from './sla-calculator';
export { SlaModule } from './sla.module';
export { SlaPoliciesService } from './sla-policies.service';
