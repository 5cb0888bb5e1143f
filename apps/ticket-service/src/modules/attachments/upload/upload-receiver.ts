import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { noteStreamedBytes } from '../../../common/runtime/streamed-bytes';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { StorageUnavailableError } from '../storage/storage-driver';
import { extensionOf, sanitizeFileName } from './file-name';
import {
  ALLOWED_EXTENSIONS,
  type AllowedExtension,
  contentTypeOf,
  HEAD_BYTES,
  isAllowedExtension,
  leadingBytesProblem,
  wholeFileProblem,
} from './file-type-policy';

/** The longest an upload may take to arrive: 50 MiB still passes at ≈ 15 KiB/s. */
export const UPLOAD_DEADLINE_MS = 60 * 60_000;
/** A client that sends nothing for this long has gone away without saying so. */
const UPLOAD_IDLE_MS = 60_000;
/** Room for the multipart framing and the comment_id field around the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** How much of a refused body is still read and discarded before the connection is cut. */
const DRAIN_ALLOWANCE_BYTES = 1024 * 1024;
/**
 * Bytes the staging file may buffer while a write is in flight; they go to disk together in one writev. With
 * the default 16 KiB every 64 KiB socket read was a write of its own, and in the CPU profile handing each to
 * libuv's thread pool outweighed hashing it.
 */
const STAGING_WRITE_BUFFER_BYTES = 1024 * 1024;
export const FILE_FIELD = 'file';
export const COMMENT_ID_FIELD = 'comment_id';

/** A received file, waiting in the staging area until it is scanned and stored. */
export interface StagedFile {
  path: string;
  /** The client's name, sanitised. */
  filename: string;
  extension: AllowedExtension;
  contentType: string;
  sizeBytes: number;
  sha256: string;
}

export interface ReceivedUpload {
  /** Null when the form had no `file` part. */
  file: StagedFile | null;
  /** The `comment_id` field as sent (validated by the service). */
  commentId: string | null;
}

const malformed = (): DomainError =>
  DomainError.validation('Send the file as multipart/form-data in the field "file"', [
    { field: FILE_FIELD, message: 'expected a multipart/form-data body with one file' },
  ]);

const interrupted = (): DomainError => DomainError.validation('The upload was interrupted before it completed');

const unsupported = (detail: string): DomainError => new DomainError(ErrorCode.UNSUPPORTED_FILE_TYPE, detail);

const tooLarge = (maxFileSize: number): DomainError =>
  new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `The file is larger than the limit of ${maxFileSize} bytes`);

/**
 * Streams `multipart/form-data` uploads into a staging directory without holding them in memory: the size
 * limit is enforced while the bytes arrive (busboy stops at the limit), the SHA-256 is computed on the way,
 * the extension is checked before the first byte is written and the leading bytes as soon as they arrive.
 * Any refusal or interruption removes the partial file before the error is answered. A staged file is named
 * after the storage key its upload recorded (StorageIntents), so that only its own installation removes it.
 */
@Injectable()
export class UploadReceiver implements OnModuleInit {
  private readonly stagingDir: string;
  private readonly maxFileSize: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.stagingDir = join(config.storage.path, 'incoming');
    this.maxFileSize = config.storage.maxFileSize;
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.stagingDir, { recursive: true, mode: 0o700 });
  }

  /** Receives the request's body, staging its file for the upload recorded under `storageKey`. */
  receive(req: Request, storageKey: string): Promise<ReceivedUpload> {
    return new Reception(req, this.stagingPathOf(storageKey), this.maxFileSize).run();
  }

  stagingPathOf(storageKey: string): string {
    return join(this.stagingDir, posix.basename(storageKey));
  }

  /** Removes the staged file of that upload, if there is one. */
  async discardStaged(storageKey: string): Promise<void> {
    await rm(this.stagingPathOf(storageKey), { force: true });
  }
}

/** What streaming the bytes tells about them. */
interface StagedBytes {
  sizeBytes: number;
  sha256: string;
}

/** One request's multipart body: at most one `file` part and one `comment_id` field. */
class Reception {
  private settled = false;
  private staging: Promise<StagedBytes> | null = null;
  private file: Pick<StagedFile, 'filename' | 'extension' | 'contentType'> | null = null;
  private commentId: string | null = null;
  private readonly abort = new AbortController();
  private unpipe: () => void = () => undefined;
  private resolve!: (upload: ReceivedUpload) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly req: Request,
    private readonly stagingPath: string,
    private readonly maxFileSize: number,
  ) {}

  run(): Promise<ReceivedUpload> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.start();
    });
  }

  private start(): void {
    const { req } = this;
    if (req.destroyed) {
      this.reject(interrupted());
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        preservePath: true, // the whole name reaches sanitizeFileName, which keeps only its last segment
        defParamCharset: 'utf8', // browsers send UTF-8 filenames unencoded
        // busboy reports the limit when a file reaches it: one byte more lets exactly maxFileSize bytes pass.
        limits: { fileSize: this.maxFileSize + 1, files: 1, fields: 1, fieldSize: 200, headerPairs: 20 },
      });
    } catch {
      this.reject(malformed());
      return;
    }
    const stopWatching = this.watch();
    req.once('close', stopWatching);
    req.once('close', () => {
      if (!req.complete) this.fail(interrupted());
    });
    req.once('error', () => this.fail(interrupted()));

    parser.on('file', (name, stream, info) => this.onFile(name, stream, info.filename));
    parser.on('field', (name, value, info) => this.onField(name, value, info.valueTruncated));
    const tooManyParts = (): void =>
      this.fail(
        DomainError.validation('Send one file and at most a comment_id', [
          { field: FILE_FIELD, message: 'one file only' },
        ]),
      );
    parser.on('filesLimit', tooManyParts);
    parser.on('fieldsLimit', tooManyParts);
    parser.on('error', () => this.fail(malformed()));
    parser.on('close', () => void this.finish(stopWatching));
    req.pipe(parser);
    this.unpipe = () => req.unpipe(parser);
  }

  /**
   * Destroys the request when it stalls or takes too long (the 'close' handler then fails the reception), and
   * bounds the whole body, not just the file: past the limit it is refused, and a refused body that keeps
   * coming is cut off rather than drained for ever.
   */
  private watch(): () => void {
    const destroy = (): void => {
      this.req.destroy();
    };
    const deadline = setTimeout(destroy, UPLOAD_DEADLINE_MS);
    const idle = setTimeout(destroy, UPLOAD_IDLE_MS);
    const maxBodyBytes = this.maxFileSize + MULTIPART_OVERHEAD_BYTES;
    // Draining a little more lets the client finish sending and read the error; beyond that it is cut off.
    const cutOffBytes = maxBodyBytes + DRAIN_ALLOWANCE_BYTES;
    let received = 0;
    const onData = (chunk: Buffer): void => {
      idle.refresh();
      received += chunk.length;
      if (received > cutOffBytes && this.settled) destroy();
      else if (received > maxBodyBytes) this.fail(tooLarge(this.maxFileSize));
    };
    this.req.on('data', onData);
    return () => {
      clearTimeout(deadline);
      clearTimeout(idle);
      this.req.off('data', onData);
    };
  }

  private onFile(name: string, stream: Readable & { truncated?: boolean }, rawName: string | undefined): void {
    if (this.settled) {
      stream.resume(); // parts the parser had buffered before a refusal
      return;
    }
    if (name !== FILE_FIELD) {
      stream.resume();
      this.fail(DomainError.validation(`Unexpected file field "${name}"`, [{ field: name, message: 'unknown field' }]));
      return;
    }
    const filename = sanitizeFileName(rawName ?? '');
    const extension = extensionOf(filename);
    if (!isAllowedExtension(extension)) {
      stream.resume();
      this.fail(unsupported(`Allowed file types: ${ALLOWED_EXTENSIONS.join(', ')}`));
      return;
    }
    this.file = { filename, extension, contentType: contentTypeOf(extension) };
    stream.once('limit', () => this.fail(tooLarge(this.maxFileSize)));
    this.staging = stageFile(stream, this.stagingPath, extension, this.abort.signal);
    this.staging.catch((error: unknown) => this.fail(error));
  }

  private onField(name: string, value: string, truncated: boolean): void {
    if (this.settled) return;
    if (name === FILE_FIELD) {
      this.fail(
        DomainError.validation('"file" must be a file part with a filename', [
          { field: name, message: 'expected a file' },
        ]),
      );
    } else if (name !== COMMENT_ID_FIELD) {
      this.fail(DomainError.validation(`Unexpected form field "${name}"`, [{ field: name, message: 'unknown field' }]));
    } else if (truncated || this.commentId !== null) {
      this.fail(DomainError.validation('comment_id must be one UUID', [{ field: name, message: 'must be a UUID' }]));
    } else {
      this.commentId = value.trim();
    }
  }

  private async finish(stopWatching: () => void): Promise<void> {
    if (this.settled) return;
    let staged: StagedBytes | null;
    try {
      staged = this.staging ? await this.staging : null;
    } catch {
      return; // already failed through the staging promise
    }
    if (this.settled) return;
    this.settled = true;
    stopWatching();
    const file = this.file && staged ? { ...this.file, ...staged, path: this.stagingPath } : null;
    this.resolve({ file, commentId: this.commentId });
  }

  /** Stops reading, removes the partial file, then answers; the rest of the body is drained and discarded. */
  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.unpipe();
    this.abort.abort();
    if (!this.req.destroyed) this.req.resume();
    // The write stream may still be opening the file: remove it only once the staging pipeline has ended.
    const staged = this.staging?.then(
      () => undefined,
      () => undefined,
    );
    void Promise.resolve(staged)
      .then(() => rm(this.stagingPath, { force: true }))
      .catch(() => undefined)
      .then(() => this.reject(error));
  }
}

/** Hashes, measures, inspects and writes one file part to `path`. */
async function stageFile(
  stream: Readable & { truncated?: boolean },
  path: string,
  extension: AllowedExtension,
  signal: AbortSignal,
): Promise<StagedBytes> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let head = Buffer.alloc(0);
  let headChecked = false;
  const checkHead = async (): Promise<Error | null> => {
    headChecked = true;
    const problem = await leadingBytesProblem(extension, head);
    return problem ? unsupported(problem) : null;
  };
  const inspector = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      noteStreamedBytes(chunk.length);
      if (!headChecked) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      if (headChecked || head.length < HEAD_BYTES) {
        callback(null, chunk);
        return;
      }
      // Detection is asynchronous; the stream takes no further chunk until it has answered.
      checkHead().then((problem) => (problem ? callback(problem) : callback(null, chunk)), callback);
    },
    flush(callback) {
      if (headChecked) callback();
      else checkHead().then(callback, callback);
    },
  });
  const sink = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: STAGING_WRITE_BUFFER_BYTES });
  let sinkError: unknown;
  sink.once('error', (error) => {
    sinkError = error;
  });
  try {
    await pipeline(stream, inspector, sink, { signal });
  } catch (error) {
    // The staging disk is the attachment store's disk: full or failing is a 507, like the store itself.
    if (sinkError !== undefined)
      throw new StorageUnavailableError('Writing the staging file failed', { cause: sinkError });
    throw error;
  }
  // busboy ends a part cut at the size limit normally; its 'limit' event has failed the reception already.
  if (stream.truncated) throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'The file is larger than the limit');
  let problem: string | null;
  try {
    problem = await wholeFileProblem(extension, path);
  } catch (error) {
    throw new StorageUnavailableError('Reading the staging file failed', { cause: error });
  }
  if (problem) throw unsupported(problem);
  return { sizeBytes, sha256: hash.digest('hex') };
}
