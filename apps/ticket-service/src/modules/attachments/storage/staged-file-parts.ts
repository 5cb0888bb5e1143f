import { type FileHandle, open } from 'node:fs/promises';

/** Sends one part of a file; `bytes` is only valid until the returned promise settles. */
export type PartSender = (index: number, bytes: Buffer) => Promise<void>;

/**
 * Reads staged files part by part into a few buffers reused across parts and uploads, for the object stores'
 * multipart (S3) and block (Azure) uploads. The SDKs' own stream uploaders allocate a fresh buffer per part, which
 * lives long enough to reach V8's old generation and stays in the RSS until a full GC (a 50 MiB file grew the
 * process by 45–60 MiB); here an upload holds `partSize × concurrency` bytes, whatever the file size. The parts
 * stay buffers, not file streams, so the SDKs still checksum, sign and retry each one.
 */
export class StagedFileParts {
  private readonly idleBuffers: Buffer[] = [];

  constructor(
    readonly partSize: number,
    private readonly concurrency: number,
  ) {}

  /** The file's size, and `use` run with the file open. */
  static async withFile<T>(path: string, use: (file: FileHandle, size: number) => Promise<T>): Promise<T> {
    const file = await open(path);
    try {
      return await use(file, (await file.stat()).size);
    } finally {
      await file.close();
    }
  }

  /** The whole of a file small enough for one request, in a buffer of its own size. */
  static readWhole(file: FileHandle, size: number): Promise<Buffer> {
    return readInto(file, Buffer.allocUnsafe(size), 0);
  }

  /**
   * Sends every part (`concurrency` at a time, in index order per sender); after the first failure no new part
   * starts, and the first failure is what this rejects with once the parts in flight have settled.
   */
  async send(file: FileHandle, size: number, sendPart: PartSender): Promise<number> {
    const partCount = Math.ceil(size / this.partSize);
    let nextPart = 0;
    let failed = false;
    const sender = async (): Promise<void> => {
      const buffer = this.idleBuffers.pop() ?? Buffer.allocUnsafe(this.partSize);
      try {
        for (let index = nextPart++; index < partCount && !failed; index = nextPart++) {
          const start = index * this.partSize;
          const part = buffer.subarray(0, Math.min(this.partSize, size - start));
          await sendPart(index, await readInto(file, part, start));
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        if (this.idleBuffers.length < this.concurrency) this.idleBuffers.push(buffer);
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(this.concurrency, partCount) }, sender));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return partCount;
  }
}

/** Fills `buffer` from the file at `position`: a file shorter than its stat()ed size is an error, not a short part. */
async function readInto(file: FileHandle, buffer: Buffer, position: number): Promise<Buffer> {
  for (let filled = 0; filled < buffer.length;) {
    const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw new Error(`The staged file ended before byte ${position + buffer.length}`);
    filled += bytesRead;
  }
  return buffer;
}
