import {
  type BeforeApplicationShutdown,
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { serializeError } from '../logging/serialize-error';
import { MetricsRegistry } from '../metrics/metrics-registry';

export interface PeriodicJob {
  /** Names the job in logs and in the `job` label of its metrics. */
  name: string;
  intervalMs: number;
  /** Also run once as soon as the app has started. */
  runAtStart?: boolean;
  /**
   * One pass; the count it returns (rows, files, deliveries handled) is logged when above zero. A pass of several
   * batches ends after the batch under way once `stopping` is aborted (the app is shutting down).
   */
  run(stopping: AbortSignal): Promise<number>;
}

interface ScheduledJob {
  job: PeriodicJob;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * The one mechanism for periodic work (SLA scanner, webhook dispatcher, sweepers). Jobs are registered
 * while modules initialise, start when the app has started and stop with it; a pass never overlaps the
 * previous one; failures are logged with their stack and counted. Several instances running the same job
 * is safe because each job claims its rows itself (SKIP LOCKED, leases) — this only schedules.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly jobs = new Map<string, ScheduledJob>();
  private started = false;
  private readonly stopping = new AbortController();
  private readonly runs: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job'>;

  constructor(registry: MetricsRegistry) {
    this.runs = new Counter({
      name: 'scheduled_job_runs_total',
      help: 'Passes of the periodic jobs by outcome (ok, failed)',
      labelNames: ['job', 'outcome'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'scheduled_job_duration_seconds',
      help: 'Duration of the passes of the periodic jobs',
      labelNames: ['job'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers: [registry],
    });
  }

  /** Call from `onModuleInit`; a job registered after start-up starts at once. */
  schedule(job: PeriodicJob): void {
    if (this.jobs.has(job.name)) throw new Error(`A job named ${job.name} is already scheduled`);
    const scheduled: ScheduledJob = { job };
    this.jobs.set(job.name, scheduled);
    // Initialise the series so dashboards see zero failures rather than no data.
    this.runs.inc({ job: job.name, outcome: 'failed' }, 0);
    if (this.started) this.start(scheduled);
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const scheduled of this.jobs.values()) this.start(scheduled);
  }

  /**
   * No pass starts any more, and the ones under way end after their current batch. Before the application's
   * shutdown hooks, since the database pool closes in one of those.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    this.stopping.abort();
    for (const scheduled of this.jobs.values()) clearInterval(scheduled.timer);
    await Promise.all([...this.jobs.values()].map((scheduled) => scheduled.running ?? Promise.resolve()));
  }

  private start(scheduled: ScheduledJob): void {
    if (scheduled.job.runAtStart) this.tick(scheduled);
    scheduled.timer = setInterval(() => this.tick(scheduled), scheduled.job.intervalMs);
    scheduled.timer.unref();
  }

  private tick(scheduled: ScheduledJob): void {
    if (scheduled.running || !this.started) return;
    const { name } = scheduled.job;
    const stop = this.duration.startTimer({ job: name });
    scheduled.running = scheduled.job
      .run(this.stopping.signal)
      .then((handled) => {
        this.runs.inc({ job: name, outcome: 'ok' });
        if (handled > 0) this.logger.log({ job: name, handled }, `${name}: ${handled} handled`);
      })
      .catch((error: unknown) => {
        this.runs.inc({ job: name, outcome: 'failed' });
        this.logger.error({ job: name, err: serializeError(error) }, `${name} failed`);
      })
      .finally(() => {
        stop();
        scheduled.running = undefined;
      });
  }
}

@Global()
@Module({ providers: [JobScheduler], exports: [JobScheduler] })
export class JobsModule {}
