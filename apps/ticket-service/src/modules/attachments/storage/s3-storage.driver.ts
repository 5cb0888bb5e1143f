import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type ByteRange,
  type DownloadUrlSigner,
  type SignedDownload,
  type StorageDriver,
  StorageUnavailableError,
  type StoredObjectInfo,
} from './storage-driver';
import { StagedFileParts } from './staged-file-parts';

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
 * Multipart part size and parallel parts: a streamed upload holds at most PART_SIZE × (QUEUE_SIZE + 1) bytes in
 * memory (≈ 15 MiB), a file's PART_SIZE × QUEUE_SIZE, whatever the size. 5 MiB is S3's smallest allowed part.
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
export class S3StorageDriver implements StorageDriver, DownloadUrlSigner {
  private readonly client: S3Client;
  private readonly bucket: string;
  /** The URL of the bucket's root, as the client addresses it (path style or virtual-hosted). */
  private readonly bucketUrl: URL;
  private readonly fileParts = new StagedFileParts(PART_SIZE, QUEUE_SIZE);

  constructor(options: S3StorageOptions) {
    if (Boolean(options.accessKeyId) !== Boolean(options.secretAccessKey)) {
      throw new Error('S3 storage: accessKeyId and secretAccessKey must be given together');
    }
    this.bucket = options.bucket;
    this.bucketUrl = bucketUrlOf(options);
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

  async put(key: string, body: Readable, info: StoredObjectInfo): Promise<void> {
    // A failing body (client gone, size limit hit upstream) is the caller's error, not the store's: keep it
    // apart from the S3 errors, which Upload may report instead (e.g. when aborting the multipart fails too).
    let bodyError: Error | undefined;
    const onBodyError = (error: Error): void => {
      bodyError ??= error;
    };
    body.on('error', onBodyError);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: info.contentType,
        Metadata: { sha256: info.sha256 },
      },
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

  /** Not through Upload (put): see StagedFileParts for why. */
  putFile(key: string, path: string, info: StoredObjectInfo): Promise<void> {
    return StagedFileParts.withFile(path, async (file, size) => {
      if (size > PART_SIZE) return this.putParts(key, file, size, info);
      const body = await StagedFileParts.readWhole(file, size);
      await request(
        'PutObject',
        this.client.send(new PutObjectCommand({ ...this.objectParams(key, info), Body: body })),
      );
    });
  }

  /** A multipart upload of the file's bytes, aborted on failure so that no parts are left billed and invisible. */
  private async putParts(key: string, file: FileHandle, size: number, info: StoredObjectInfo): Promise<void> {
    const { UploadId } = await request(
      'CreateMultipartUpload',
      this.client.send(
        new CreateMultipartUploadCommand({
          ...this.objectParams(key, info),
          ChecksumAlgorithm: ChecksumAlgorithm.CRC32,
        }),
      ),
    );
    const target = { Bucket: this.bucket, Key: key, UploadId };
    const parts: CompletedPart[] = [];
    try {
      await this.fileParts.send(file, size, async (index, bytes) => {
        const { ETag, ChecksumCRC32 } = await request(
          'UploadPart',
          this.client.send(
            new UploadPartCommand({
              ...target,
              PartNumber: index + 1,
              Body: bytes,
              ChecksumAlgorithm: ChecksumAlgorithm.CRC32,
            }),
          ),
        );
        parts[index] = { PartNumber: index + 1, ETag, ChecksumCRC32 };
      });
      await request(
        'CompleteMultipartUpload',
        this.client.send(new CompleteMultipartUploadCommand({ ...target, MultipartUpload: { Parts: parts } })),
      );
    } catch (error) {
      // The upload's own failure is what the caller hears about; a failed abort leaves the parts to the lifecycle rule.
      await this.client.send(new AbortMultipartUploadCommand(target)).catch(() => undefined);
      throw error;
    }
  }

  private objectParams(key: string, info: StoredObjectInfo) {
    return { Bucket: this.bucket, Key: key, ContentType: info.contentType, Metadata: { sha256: info.sha256 } };
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

  /** A presigned GetObject URL (query-string SigV4, signed by the client's own signer and credentials). */
  async signedDownloadUrl(key: string, download: SignedDownload): Promise<string> {
    const url = new URL(this.bucketUrl);
    url.pathname += key.split('/').map(encodeURIComponent).join('/');
    const signer = await this.client.config.signer();
    if (!isPresigner(signer)) throw new StorageUnavailableError('S3: the client’s signer cannot presign URLs');
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: url.pathname,
        query: {
          'response-content-disposition': download.contentDisposition,
          'response-content-type': download.contentType,
        },
        // What a GET without a body signs: hoisted into the query as X-Amz-Content-Sha256, like the SDK's presigner.
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: download.expiresInSeconds },
    );
    for (const [name, value] of Object.entries(presigned.query ?? {})) {
      if (typeof value === 'string') url.searchParams.set(name, value);
    }
    return url.toString();
  }
}

/** The request shape SigV4 presigning takes (the SDK's HttpRequest, without a body). */
interface PresignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

interface Presigner {
  presign(request: PresignableRequest, options: { expiresIn: number }): Promise<{ query?: Record<string, unknown> }>;
}

/** The S3 client's signer is the SDK's SigV4 signer, which presigns too; its declared type only promises sign(). */
function isPresigner(signer: unknown): signer is Presigner {
  return typeof (signer as { presign?: unknown }).presign === 'function';
}

/** Path style (`endpoint/bucket/`) or virtual-hosted (`bucket.endpoint/`), AWS's regional endpoint by default. */
function bucketUrlOf(options: S3StorageOptions): URL {
  const endpoint = new URL(options.endpoint ?? `https://s3.${options.region}.amazonaws.com`);
  const base = endpoint.pathname.endsWith('/') ? endpoint.pathname : `${endpoint.pathname}/`;
  if (options.forcePathStyle) {
    endpoint.pathname = `${base}${encodeURIComponent(options.bucket)}/`;
  } else {
    endpoint.hostname = `${options.bucket}.${endpoint.hostname}`;
    endpoint.pathname = base;
  }
  return endpoint;
}

/** An S3 request, its failure (service answer, network failure, timeout) as the port's. */
async function request<Output>(operation: string, sending: Promise<Output>): Promise<Output> {
  try {
    return await sending;
  } catch (error) {
    throw unavailable(operation, error);
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
