import type { Readable } from 'node:stream';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  RestError,
  StorageSharedKeyCredential,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import {
  type ByteRange,
  type DownloadUrlSigner,
  type SignedDownload,
  type StorageDriver,
  StorageUnavailableError,
  type StoredObjectInfo,
} from './storage-driver';
import { StagedFileParts } from './staged-file-parts';

/** A connection string (it may name its own endpoint, e.g. Azurite's), or an account and its key. */
export type AzureBlobCredentials = { connectionString: string } | { account: string; accountKey: string };

export interface AzureBlobStorageOptions {
  credentials: AzureBlobCredentials;
  container: string;
}

/**
 * Block size and blocks in memory: a streamed upload holds at most BLOCK_SIZE × MAX_BUFFERS bytes (12 MiB), a
 * staged file's BLOCK_SIZE × FILE_BLOCKS_IN_FLIGHT, whatever the file size; each block is staged as soon as it is full.
 */
const BLOCK_SIZE = 4 * 1024 * 1024;
const MAX_BUFFERS = 3;
const FILE_BLOCKS_IN_FLIGHT = 2;
/**
 * How long the store may keep an operation waiting (retries included): for a download until its headers (the body
 * is not bounded: a slow client pauses it through backpressure), for an upload between two staged blocks.
 */
const IDLE_TIMEOUT_MS = 16_000;
/** One retry, soon, as for S3. */
const PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 },
};

interface Watchdog {
  signal: AbortSignal;
  /** Postpones the abort by IDLE_TIMEOUT_MS. */
  alive: () => void;
  stop: () => void;
  /** The error to report: the watchdog's own when it aborted the operation (the SDK's says only "aborted"). */
  reasonFor: (error: unknown) => unknown;
}

/**
 * Aborts `signal` once IDLE_TIMEOUT_MS pass without a call to `alive()`. The SDK sets no client-side timeout of
 * its own, so a store that accepts connections and never answers would otherwise hold a request forever.
 */
function watchdog(operation: string): Watchdog {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => clearTimeout(timer);
  const alive = (): void => {
    stop();
    timer = setTimeout(
      () => controller.abort(new StorageUnavailableError(`Azure ${operation}: no answer within ${IDLE_TIMEOUT_MS} ms`)),
      IDLE_TIMEOUT_MS,
    );
  };
  alive();
  const reasonFor = (error: unknown): unknown => (controller.signal.aborted ? controller.signal.reason : error);
  return { signal: controller.signal, alive, stop, reasonFor };
}

function serviceClientOf(credentials: AzureBlobCredentials): BlobServiceClient {
  if ('connectionString' in credentials) {
    return BlobServiceClient.fromConnectionString(credentials.connectionString, PIPELINE_OPTIONS);
  }
  return new BlobServiceClient(
    `https://${credentials.account}.blob.core.windows.net`,
    new StorageSharedKeyCredential(credentials.account, credentials.accountKey),
    PIPELINE_OPTIONS,
  );
}

/**
 * Attachment bytes as block blobs in one Azure Blob container; the keys are the service's, used as blob names.
 * The blocks an interrupted upload staged are never committed, so never visible; Azure discards them after a week.
 */
export class AzureBlobStorageDriver implements StorageDriver, DownloadUrlSigner {
  private readonly container: ContainerClient;
  /** Set when the credentials hold the account key, which signs download URLs (SAS). */
  private readonly accountKey: StorageSharedKeyCredential | null;
  private readonly fileParts = new StagedFileParts(BLOCK_SIZE, FILE_BLOCKS_IN_FLIGHT);

  constructor(options: AzureBlobStorageOptions) {
    const service = serviceClientOf(options.credentials);
    this.container = service.getContainerClient(options.container);
    this.accountKey = service.credential instanceof StorageSharedKeyCredential ? service.credential : null;
  }

  /** False for a connection string with a SAS token instead of the account key. */
  get signsDownloads(): boolean {
    return this.accountKey !== null;
  }

  /**
   * At start-up: creates the container when it is missing. Throws, so that the service does not start, when the
   * store cannot be reached or the credentials may not create the container.
   */
  async ensureContainer(): Promise<void> {
    const name = this.container.containerName;
    const idle = watchdog('container check');
    try {
      if (await this.container.exists({ abortSignal: idle.signal })) return;
      await this.container.createIfNotExists({ abortSignal: idle.signal });
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 403) {
        throw new Error(
          `Azure storage: the container "${name}" (AZURE_STORAGE_CONTAINER) does not exist and these credentials ` +
            `may not create it (${error.code ?? 'HTTP 403'}); create it or use credentials allowed to`,
          { cause: error },
        );
      }
      throw unavailable(`creating the container "${name}"`, idle.reasonFor(error));
    } finally {
      idle.stop();
    }
  }

  async put(key: string, body: Readable, info: StoredObjectInfo): Promise<void> {
    // A failing body (client gone, size limit hit upstream) is the caller's error, not the store's.
    let bodyError: Error | undefined;
    const onBodyError = (error: Error): void => {
      bodyError ??= error;
    };
    body.on('error', onBodyError);
    const idle = watchdog('upload');
    try {
      // Stages each block as it fills and commits the list once the body ends: until then the blob does not exist.
      await this.container.getBlockBlobClient(key).uploadStream(body, BLOCK_SIZE, MAX_BUFFERS, {
        blobHTTPHeaders: { blobContentType: info.contentType },
        metadata: { sha256: info.sha256 },
        abortSignal: idle.signal,
        onProgress: idle.alive,
      });
    } catch (error) {
      body.destroy();
      if (bodyError !== undefined) throw bodyError;
      throw unavailable('upload', idle.reasonFor(error));
    } finally {
      idle.stop();
      body.off('error', onBodyError);
    }
  }

  /**
   * Not through uploadStream (put), which takes a fresh buffer for every block: the file's blocks are read into
   * reused buffers (StagedFileParts), staged, and committed as one list, so the blob appears whole or not at all.
   */
  putFile(key: string, path: string, info: StoredObjectInfo): Promise<void> {
    const blob = this.container.getBlockBlobClient(key);
    const headers = { blobHTTPHeaders: { blobContentType: info.contentType }, metadata: { sha256: info.sha256 } };
    return StagedFileParts.withFile(path, async (file, size) => {
      const idle = watchdog('upload');
      try {
        if (size <= BLOCK_SIZE) {
          const bytes = await StagedFileParts.readWhole(file, size);
          await blob.upload(bytes, bytes.length, { ...headers, abortSignal: idle.signal });
          return;
        }
        const blockCount = await this.fileParts.send(file, size, async (index, bytes) => {
          await blob.stageBlock(blockIdOf(index), bytes, bytes.length, { abortSignal: idle.signal });
          idle.alive();
        });
        const blockIds = Array.from({ length: blockCount }, (_, index) => blockIdOf(index));
        await blob.commitBlockList(blockIds, { ...headers, abortSignal: idle.signal });
      } catch (error) {
        throw unavailable('upload', idle.reasonFor(error));
      } finally {
        idle.stop();
      }
    });
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const idle = watchdog('download');
    try {
      const offset = range?.start ?? 0;
      const count = range ? range.end - range.start + 1 : undefined;
      const response = await this.container.getBlobClient(key).download(offset, count, { abortSignal: idle.signal });
      if (!response.readableStreamBody) throw new StorageUnavailableError('Azure download returned no readable body');
      return response.readableStreamBody as Readable;
    } catch (error) {
      throw unavailable('download', idle.reasonFor(error));
    } finally {
      // Only the wait for the headers is bounded: the signal stays quiet from here on.
      idle.stop();
    }
  }

  async delete(key: string): Promise<void> {
    const idle = watchdog('delete');
    try {
      await this.container.getBlobClient(key).deleteIfExists({ deleteSnapshots: 'include', abortSignal: idle.signal });
    } catch (error) {
      throw unavailable('delete', idle.reasonFor(error));
    } finally {
      idle.stop();
    }
  }

  /** A SAS URL with read permission on this one blob, which forces the stored name and type on the answer. */
  async signedDownloadUrl(key: string, download: SignedDownload): Promise<string> {
    if (this.accountKey === null) {
      throw new StorageUnavailableError('Azure storage: signing a download URL needs the account key');
    }
    return this.container.getBlobClient(key).generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: new Date(Date.now() + download.expiresInSeconds * 1000),
      contentDisposition: download.contentDisposition,
      contentType: download.contentType,
    });
  }
}

/** Block ids must all have the same length within a blob: the index, zero-padded, in base64. */
function blockIdOf(index: number): string {
  return Buffer.from(String(index).padStart(6, '0')).toString('base64');
}

/** Azure errors (service answers, network failures, timeouts) as the port's one failure type. */
function unavailable(operation: string, error: unknown): StorageUnavailableError {
  if (error instanceof StorageUnavailableError) return error;
  const reason =
    error instanceof RestError
      ? `${error.code ?? error.name} (HTTP ${error.statusCode ?? '?'}): ${error.message.split('\n')[0]}`
      : error instanceof Error
        ? error.message
        : String(error);
  return new StorageUnavailableError(`Azure ${operation} failed: ${reason}`, { cause: error });
}
