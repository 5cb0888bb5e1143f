import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type ByteRange, type StorageDriver, StorageUnavailableError } from './storage-driver';

export interface S3StorageOptions {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, Ceph, ...); AWS's own endpoint for the region when absent. */
  endpoint?: string;
  region: string;
  /** Both or neither: without them the SDK's default chain (environment, instance role) is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/**
 * Multipart part size and parallel parts: an upload holds at most PART_SIZE × (QUEUE_SIZE + 1) bytes in
 * memory (≈ 15 MiB), whatever the file size. 5 MiB is S3's smallest allowed part.
 */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;
const CONNECTION_TIMEOUT_MS = 5_000;
/**
 * From sending a request to the store's answer (its headers): a store that accepts connections and never
 * answers fails the request instead of holding it. A download's body is not bounded (an idle-socket timeout
 * would cut downloads that a slow client pauses through backpressure); an upload's parts are buffered first
 * (PART_SIZE), so each is sent at the link's speed.
 */
const RESPONSE_TIMEOUT_MS = 8_000;
/** One retry: with the response bound, a hung store fails a request within about 2 × RESPONSE_TIMEOUT_MS. */
const MAX_ATTEMPTS = 2;

/**
 * Attachment bytes in one S3 bucket; the keys are the service's, used as given. The parts of a multipart upload
 * that a crash interrupted are invisible to DeleteObject: the bucket's AbortIncompleteMultipartUpload lifecycle
 * rule removes them.
 */
export class S3StorageDriver implements StorageDriver {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    if (Boolean(options.accessKeyId) !== Boolean(options.secretAccessKey)) {
      throw new Error('S3 storage: accessKeyId and secretAccessKey must be given together');
    }
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: RESPONSE_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      },
    });
  }

  async put(key: string, body: Readable): Promise<void> {
    // A failing body (client gone, size limit hit upstream) is the caller's error, not the store's: keep it
    // apart from the S3 errors, which Upload may report instead (e.g. when aborting the multipart fails too).
    let bodyError: Error | undefined;
    const onBodyError = (error: Error): void => {
      bodyError ??= error;
    };
    body.on('error', onBodyError);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      // Upload aborts the multipart upload on failure, so no parts are left billed and invisible.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // A request that timed out on our side may still have been stored: the caller's record of the upload
      // (StorageIntents) has the key removed, now or by the sweeper.
      body.destroy();
      if (bodyError !== undefined) throw bodyError;
      throw unavailable('PutObject', error);
    } finally {
      body.off('error', onBodyError);
    }
  }

  putFile(key: string, path: string): Promise<void> {
    return this.put(key, createReadStream(path));
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const output = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      if (!(output.Body instanceof Readable)) {
        throw new StorageUnavailableError('S3 GetObject returned no readable body');
      }
      return output.Body;
    } catch (error) {
      throw unavailable('GetObject', error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      // Bounded as a whole (retries included): a delete that fails stays recorded for the sweeper.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      });
    } catch (error) {
      // S3 answers 204 for a missing key; some compatible stores answer NoSuchKey instead.
      if (error instanceof NoSuchKey) return;
      throw unavailable('DeleteObject', error);
    }
  }
}

/** S3 errors (service answers, network failures, timeouts) as the port's one failure type. */
function unavailable(operation: string, error: unknown): StorageUnavailableError {
  if (error instanceof StorageUnavailableError) return error;
  const reason =
    error instanceof S3ServiceException
      ? `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})`
      : error instanceof Error
        ? error.message
        : String(error);
  return new StorageUnavailableError(`S3 ${operation} failed: ${reason}`, { cause: error });
}
