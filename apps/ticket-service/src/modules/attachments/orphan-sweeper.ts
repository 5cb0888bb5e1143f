import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In } from 'typeorm';
import { JobScheduler } from '../../common/jobs/job-scheduler';
import { Attachment } from './attachment.entity';
import { STORAGE_KEY_PREFIX } from './attachments.service';
import { STORAGE_DRIVER, type StorageDriver } from './storage/storage-driver';
import { UploadReceiver } from './upload/upload-receiver';

/** Younger objects may belong to an upload whose row is about to commit. */
export const ORPHAN_MIN_AGE_MS = 60 * 60_000;
const SWEEP_INTERVAL_MS = 15 * 60_000;
const BATCH_SIZE = 500;

/**
 * Removes what a crash between storing bytes and committing their row (or between deleting a row and its
 * bytes) leaves behind: stored objects older than an hour that no live attachment row references, and stale
 * staging files. Runs at startup and then on a timer; several instances sweeping at once is harmless.
 */
@Injectable()
export class OrphanSweeper implements OnModuleInit {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly receiver: UploadReceiver,
    @InjectDataSource() private readonly dataSource: DataSource,
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

  /**
   * One pass; returns how many objects and staging files it removed. Ages compare with the store's own
   * timestamps, so `now` is the wall clock, not the service's Clock.
   */
  async sweep(now: Date = new Date()): Promise<number> {
    const before = new Date(now.getTime() - ORPHAN_MIN_AGE_MS);
    let removed = await this.receiver.sweepStale(before);
    let batch: string[] = [];
    for await (const key of this.storage.listOlderThan(before)) {
      if (!key.startsWith(STORAGE_KEY_PREFIX)) continue;
      batch.push(key);
      if (batch.length === BATCH_SIZE) {
        removed += await this.removeUnreferenced(batch);
        batch = [];
      }
    }
    if (batch.length > 0) removed += await this.removeUnreferenced(batch);
    return removed;
  }

  /** Soft-deleted rows do not count: their bytes are deleted right after the row, or here. */
  private async removeUnreferenced(keys: string[]): Promise<number> {
    const live = await this.dataSource
      .getRepository(Attachment)
      .find({ select: { storageKey: true }, where: { storageKey: In(keys) } });
    const referenced = new Set(live.map((attachment) => attachment.storageKey));
    let removed = 0;
    for (const key of keys) {
      if (referenced.has(key)) continue;
      await this.storage.delete(key);
      removed += 1;
    }
    return removed;
  }
}
