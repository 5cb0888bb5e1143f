import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { StorageIntents } from './storage-intents';
import { UPLOAD_DEADLINE_MS } from './upload/upload-receiver';

/**
 * An upload records its intent before its body arrives, which may take up to UPLOAD_DEADLINE_MS; the hour
 * beyond covers scanning and storing. An upload that still outlives it is refused when it commits (its record
 * is gone), so the bound decides only how soon a crash's leftovers go, never whether a row loses its bytes.
 */
export const ABANDONED_UPLOAD_AGE_MS = UPLOAD_DEADLINE_MS + 60 * 60_000;
const SWEEP_INTERVAL_MS = 15 * 60_000;

/**
 * Removes what a crash leaves behind, and only what this installation recorded (StorageIntents): the staged and
 * stored bytes of uploads older than ABANDONED_UPLOAD_AGE_MS whose row never committed, and the bytes of deleted
 * attachments that are still there. It never lists the store, so files it did not record (another
 * installation's in a shared directory or bucket, anything else) are never touched. Runs at start-up and then on
 * a timer; several instances sweeping at once is harmless.
 */
@Injectable()
export class OrphanSweeper implements OnModuleInit {
  constructor(
    private readonly intents: StorageIntents,
    private readonly scheduler: JobScheduler,
  ) {}

  onModuleInit(): void {
    this.scheduler.schedule({
      name: 'attachment-orphan-sweeper',
      intervalMs: SWEEP_INTERVAL_MS,
      runAtStart: true,
      run: () => this.sweep(),
    });
  }

  /** One pass; returns how many keys' bytes it removed. Ages are wall-clock, like the recorded times. */
  async sweep(now: Date = new Date()): Promise<number> {
    await this.intents.claimAbandoned(new Date(now.getTime() - ABANDONED_UPLOAD_AGE_MS));
    return this.intents.discardAll();
  }
}
