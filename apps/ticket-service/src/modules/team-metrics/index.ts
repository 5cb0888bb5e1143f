export { TeamMetricsModule } from './team-metrics.module';
