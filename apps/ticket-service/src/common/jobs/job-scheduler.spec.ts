import { Logger } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { JobScheduler } from './job-scheduler';

const until = async (condition: () => boolean): Promise<void> => {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2000) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

async function counter(registry: MetricsRegistry, job: string, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('scheduled_job_runs_total')!.get();
  return metric.values.find((value) => value.labels.job === job && value.labels.outcome === outcome)?.value ?? 0;
}

describe('JobScheduler', () => {
  let registry: MetricsRegistry;
  let scheduler: JobScheduler;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    registry = new MetricsRegistry();
    scheduler = new JobScheduler(registry);
  });

  afterEach(async () => {
    await scheduler.beforeApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('runs nothing before the app has started, then runs at start when asked and on every interval', async () => {
    let runs = 0;
    scheduler.schedule({ name: 'count', intervalMs: 20, runAtStart: true, run: () => Promise.resolve(++runs) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(0);
    scheduler.onApplicationBootstrap();
    expect(runs).toBe(1);
    await until(() => runs >= 3);
    expect(await counter(registry, 'count', 'ok')).toBeGreaterThanOrEqual(3);
  });

  it('never starts a pass while the previous one is still running', async () => {
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    scheduler.schedule({
      name: 'slow',
      intervalMs: 5,
      run: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 40));
        active -= 1;
        passes += 1;
        return 0;
      },
    });
    scheduler.onApplicationBootstrap();
    await until(() => passes >= 3);
    expect(maxActive).toBe(1);
  });

  it('logs a failing pass with its stack, counts it, and keeps the schedule', async () => {
    const errors: unknown[] = [];
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(message);
    });
    let calls = 0;
    scheduler.schedule({
      name: 'broken',
      intervalMs: 10,
      run: () => {
        calls += 1;
        return Promise.reject(new Error('database went away'));
      },
    });
    scheduler.onApplicationBootstrap();
    await until(() => calls >= 2);
    await scheduler.beforeApplicationShutdown();
    log.mockRestore();
    expect(await counter(registry, 'broken', 'failed')).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toEqual({
      job: 'broken',
      err: expect.objectContaining({
        message: 'database went away',
        stack: expect.stringContaining('Error: database went away'),
      }),
    });
  });

  it('stops with the app and waits for the pass under way', async () => {
    let finished = false;
    scheduler.schedule({
      name: 'finishing',
      intervalMs: 1000,
      runAtStart: true,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        finished = true;
        return 1;
      },
    });
    scheduler.onApplicationBootstrap();
    await scheduler.beforeApplicationShutdown();
    expect(finished).toBe(true);
  });

  it('asks the pass under way to stop after its current batch, and starts no other', async () => {
    let batches = 0;
    let passes = 0;
    scheduler.schedule({
      name: 'batches',
      intervalMs: 5,
      runAtStart: true,
      run: async (stopping) => {
        passes += 1;
        do {
          await new Promise((resolve) => setTimeout(resolve, 10));
          batches += 1;
        } while (!stopping.aborted);
        return batches;
      },
    });
    scheduler.onApplicationBootstrap();
    await until(() => batches >= 2);
    await scheduler.beforeApplicationShutdown();
    const stoppedAt = { batches, passes };
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ batches, passes }).toEqual(stoppedAt);
    expect(passes).toBe(1);
  });

  it('refuses two jobs of one name', () => {
    const job = { name: 'twice', intervalMs: 1000, run: () => Promise.resolve(0) };
    scheduler.schedule(job);
    expect(() => scheduler.schedule(job)).toThrow('A job named twice is already scheduled');
  });
});
