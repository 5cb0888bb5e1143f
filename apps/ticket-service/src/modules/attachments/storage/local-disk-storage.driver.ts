import { createReadStream } from 'node:fs';
import { type FileHandle, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { type ByteRange, type StorageDriver, StorageUnavailableError } from './storage-driver';

/** Keys are relative paths of plain segments (no `..`, no absolute paths, no backslashes). */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Runs one filesystem operation of the store; its failure (ENOSPC, EIO, EACCES, ...) is the store's. */
async function store<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new StorageUnavailableError(
      `Local storage: ${operation} failed${typeof code === 'string' ? ` (${code})` : ''}`,
      {
        cause: error,
      },
    );
  }
}

async function writeFully(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Makes a directory entry (a rename, a new file or subdirectory) durable. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Makes the new entry in `directory` durable, and the entries of the directories `mkdir` created on the way
 * (`created` is the first of them, as `mkdir({ recursive: true })` reports it).
 */
async function syncNewEntries(directory: string, created: string | undefined): Promise<void> {
  const newestExisting = created === undefined ? directory : dirname(created);
  for (let path = directory; ; path = dirname(path)) {
    await store('fsync', () => syncDirectory(path));
    if (path === newestExisting) break;
  }
}

/** Flushes a complete file to disk. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** link(2) failures that mean "no hard link possible here" (another filesystem, or one without hard links). */
const LINK_IMPOSSIBLE: ReadonlySet<unknown> = new Set(['EXDEV', 'EPERM', 'ENOTSUP']);

/** Hard-links `existingPath` as `newPath`; false where hard links are impossible. */
async function hardLink(existingPath: string, newPath: string): Promise<boolean> {
  try {
    await link(existingPath, newPath);
    return true;
  } catch (error) {
    if (LINK_IMPOSSIBLE.has((error as { code?: unknown }).code)) return false;
    throw error;
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('The body must be a byte stream');
}

/** Where a put writes the bytes of `target` before they get its name. */
const partialPathOf = (target: string): string => `${target}.partial`;

/**
 * Attachment bytes as files under one directory. A put writes a temporary file next to its target, fsyncs
 * it, renames it into place and fsyncs the directory, so a key either holds all its bytes durably or does
 * not exist. A crash mid-put leaves at most the temporary file, which deleting the key removes too.
 */
export class LocalDiskStorageDriver implements StorageDriver {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    const directory = dirname(target);
    // Named after the key, so that deleting the key finds it; a key is put once, by the upload that recorded it.
    const temporary = partialPathOf(target);
    let handle: FileHandle | undefined;
    let renamed = false;
    try {
      const created = await store('mkdir', () => mkdir(directory, { recursive: true }));
      const opened = await store('open', () => open(temporary, 'wx', 0o600));
      handle = opened;
      // The body's own errors (a failing source) pass unchanged; only the store's become StorageUnavailableError.
      for await (const chunk of body as AsyncIterable<unknown>) {
        await store('write', () => writeFully(opened, toBuffer(chunk)));
      }
      await store('fsync', () => opened.sync());
      handle = undefined;
      await store('close', () => opened.close());
      await store('rename', () => rename(temporary, target));
      renamed = true;
      await syncNewEntries(directory, created);
    } catch (error) {
      body.destroy();
      await handle?.close().catch(() => undefined);
      await rm(temporary, { force: true }).catch(() => undefined);
      if (renamed) await rm(target, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A file on the store's filesystem (the upload staging area is under the store's directory) becomes the
   * object through a hard link instead of a second copy of its bytes. It is flushed before it gets its name,
   * so the key still either holds all the bytes durably or does not exist. Where no hard link is possible,
   * the bytes are copied by `put`.
   */
  async putFile(key: string, path: string): Promise<void> {
    const target = this.pathOf(key);
    const directory = dirname(target);
    let linked = false;
    try {
      const created = await store('mkdir', () => mkdir(directory, { recursive: true }));
      await store('fsync', () => syncFile(path));
      linked = await store('link', () => hardLink(path, target));
      if (!linked) return await this.put(key, createReadStream(path));
      await syncNewEntries(directory, created);
    } catch (error) {
      if (linked) await rm(target, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    // Opened before the caller answers, so a missing or unreadable file is still an error response.
    const handle = await store('open', () => open(path, 'r'));
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await store('delete', async () => {
      await rm(partialPathOf(path), { force: true });
      await rm(path, { force: true });
    });
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!KEY.test(key) || !path.startsWith(this.root + sep)) {
      throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
    }
    return path;
  }
}
