import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { LessThan } from 'typeorm';
import { Attachment } from './attachment.entity';
import { StorageIntent, StorageIntentKind } from './storage-intent.entity';
import { STORAGE_DRIVER, type StorageDriver, StorageUnavailableError } from './storage/storage-driver';
import type { ReceivedUpload, StagedFile } from './upload/upload-receiver';
import { UploadReceiver } from './upload/upload-receiver';

const DISCARD_BATCH_SIZE = 500;

/** A fresh storage key: random, never derived from the filename, spread over 256 folders. */
function newStorageKey(): string {
  const id = randomUUID();
  return `attachments/${id.slice(0, 2)}/${id}`;
}

/** One upload's hold on its storage key, from before its first byte is written until its row commits or its bytes are gone. */
export class UploadIntent {
  /** Set once bytes may be in the store, so that a refused upload never calls the store. */
  stored = false;
  /** Set by the transaction that commits the row: from then on the bytes are the row's. */
  settled = false;

  constructor(readonly storageKey: string) {}
}

/** A received upload with its intent, as the upload handler gets it. */
export interface PendingUpload extends ReceivedUpload {
  intent: UploadIntent;
}

/**
 * The ledger of this installation's bytes that no live attachment row holds (`attachment_storage_intents`).
 * An upload records its key before its first byte is written (staged or stored) and drops the record in the
 * transaction that commits its row; deleting an attachment records its key as DISCARD in the transaction that
 * deletes the row. Bytes are removed only under a key recorded here, and the record only after them, so a crash
 * at any point leaves a record naming what it left behind, and what this installation did not record (another
 * installation's files in a shared directory or bucket, anything else) is never touched.
 */
@Injectable()
export class StorageIntents {
  private readonly logger = new Logger('AttachmentStorage');

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly receiver: UploadReceiver,
  ) {}

  private get intents() {
    return this.txHost.tx.getRepository(StorageIntent);
  }

  async beginUpload(): Promise<UploadIntent> {
    const intent = new UploadIntent(newStorageKey());
    await this.intents.insert({ storageKey: intent.storageKey, kind: StorageIntentKind.UPLOAD, createdAt: new Date() });
    return intent;
  }

  /** Puts the staged file into the store under the intent's key, with its type and hash, then removes the staged file. */
  async store(intent: UploadIntent, file: StagedFile): Promise<void> {
    intent.stored = true;
    await this.storage.putFile(intent.storageKey, this.receiver.stagingPathOf(intent.storageKey), {
      contentType: file.contentType,
      sha256: file.sha256,
    });
    // Before the row commits: a crash after the commit must not leave a staged file that no record names.
    await this.receiver.discardStaged(intent.storageKey);
  }

  /** In the transaction that commits the upload's row; refuses an upload the sweeper took for abandoned. */
  async settle(intent: UploadIntent): Promise<void> {
    const { affected } = await this.intents.delete({ storageKey: intent.storageKey, kind: StorageIntentKind.UPLOAD });
    if (affected !== 1) {
      throw new StorageUnavailableError('The upload outlived the orphan sweeper’s age bound; its bytes were discarded');
    }
    intent.settled = true;
  }

  /**
   * After the upload's request, whatever its answer: unless the row committed, removes what the upload staged
   * and stored, then its record. Never throws; what it cannot remove stays recorded for the sweeper.
   */
  async release(intent: UploadIntent): Promise<void> {
    // A transaction that settled and then failed to commit keeps the record: the sweeper removes the bytes.
    if (intent.settled) return;
    const key = intent.storageKey;
    try {
      if (await this.claim(key)) {
        await this.discard(key, intent.stored);
        return;
      }
      // No record: the row committed although its transaction reported a failure (the bytes are the row's), or
      // the sweeper took the upload for abandoned while it still ran (what it stored since is removed here).
      await this.receiver.discardStaged(key);
      if (intent.stored && !(await this.isReferenced(key))) await this.storage.delete(key);
    } catch (error) {
      this.logLeftover(key, error);
    }
  }

  /** In the transaction that deletes an attachment's row: its bytes are to go. */
  async scheduleDiscard(storageKey: string): Promise<void> {
    await this.intents.insert({ storageKey, kind: StorageIntentKind.DISCARD, createdAt: new Date() });
  }

  /** After that transaction: the bytes go now, or with the next sweep. */
  async finishDiscard(storageKey: string): Promise<void> {
    await this.discard(storageKey).catch((error: unknown) => this.logLeftover(storageKey, error));
  }

  /** For the sweeper: uploads recorded before `before` are abandoned (DISCARD); returns how many. */
  async claimAbandoned(before: Date): Promise<number> {
    const { affected } = await this.intents.update(
      { kind: StorageIntentKind.UPLOAD, createdAt: LessThan(before) },
      { kind: StorageIntentKind.DISCARD },
    );
    return affected ?? 0;
  }

  /** For the sweeper: discards every DISCARD key, oldest first; returns how many. */
  async discardAll(): Promise<number> {
    let discarded = 0;
    for (;;) {
      const batch = await this.intents.find({
        where: { kind: StorageIntentKind.DISCARD },
        order: { createdAt: 'ASC' },
        take: DISCARD_BATCH_SIZE,
      });
      for (const { storageKey } of batch) {
        await this.discard(storageKey);
        discarded += 1;
      }
      if (batch.length < DISCARD_BATCH_SIZE) return discarded;
    }
  }

  /** UPLOAD → DISCARD; false when the row committed or the sweeper claimed the upload first. */
  private async claim(storageKey: string): Promise<boolean> {
    const { affected } = await this.intents.update(
      { storageKey, kind: StorageIntentKind.UPLOAD },
      { kind: StorageIntentKind.DISCARD },
    );
    return affected === 1;
  }

  /** Removes the staged and (unless nothing was stored) the stored bytes of a DISCARD key, then its record. */
  private async discard(storageKey: string, stored = true): Promise<void> {
    await this.receiver.discardStaged(storageKey);
    if (stored) await this.storage.delete(storageKey);
    await this.intents.delete({ storageKey, kind: StorageIntentKind.DISCARD });
  }

  private isReferenced(storageKey: string): Promise<boolean> {
    return this.txHost.tx.getRepository(Attachment).exists({ where: { storageKey }, withDeleted: true });
  }

  private logLeftover(storageKey: string, error: unknown): void {
    this.logger.warn(
      { key: storageKey, err: error instanceof Error ? error.message : String(error) },
      'could not remove bytes without a row; the orphan sweeper removes those still recorded',
    );
  }
}
