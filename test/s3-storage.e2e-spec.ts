import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { S3StorageDriver } from '../apps/ticket-service/src/modules/attachments/storage/s3-storage.driver';
import { StorageUnavailableError } from '../apps/ticket-service/src/modules/attachments/storage/storage-driver';
import { S3RVER_CREDENTIALS, S3RVER_REGION, type S3Server, startS3rver } from './support/s3-server';

/**
 * S3StorageDriver against a real S3-protocol server (s3rver, a child process on 127.0.0.1 keeping its files in
 * a temp directory): multipart streaming uploads, ranged reads, deletes, and failures. What the bucket holds is
 * listed with the AWS SDK, independently of the driver.
 */

const BUCKET = 'attachments';
const MiB = 1024 * 1024;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function sha256Of(stream: Readable): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hash: hash.digest('hex'), size };
}

/** Streams `bytes` in 64 KiB chunks, the way a file or a request body arrives: never one buffer. */
function streamOf(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) yield bytes.subarray(offset, offset + 64 * 1024);
    })(),
  );
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('S3StorageDriver against an S3-protocol server', () => {
  const directory = mkdtempSync(join(tmpdir(), 's3-storage-'));
  let server: S3Server;
  let storage: S3StorageDriver;
  let s3: S3Client;

  beforeAll(async () => {
    server = await startS3rver(directory, 0, BUCKET);
    const connection = { endpoint: server.endpoint, region: S3RVER_REGION, forcePathStyle: true };
    storage = new S3StorageDriver({ bucket: BUCKET, ...connection, ...S3RVER_CREDENTIALS });
    s3 = new S3Client({ ...connection, credentials: S3RVER_CREDENTIALS });
  });

  afterAll(async () => {
    await server.stop();
    s3.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  async function objectKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET })) {
      for (const object of page.Contents ?? []) keys.push(object.Key!);
    }
    return keys;
  }

  describe('with the server up', () => {
    // 12 MiB + 3 bytes: three multipart parts of 5 MiB, 5 MiB and the rest.
    const file = randomBytes(12 * MiB + 3);
    const key = 'tickets/0c1f/7d2e-multipart';

    it('stores a multi-MiB stream and returns the same bytes', async () => {
      await storage.put(key, streamOf(file));

      await expect(sha256Of(await storage.get(key))).resolves.toEqual({ hash: sha256(file), size: file.length });
    });

    it('returns an inclusive byte range, also across a part boundary', async () => {
      const start = 5 * MiB - 1_000;
      const end = 5 * MiB + 2 * MiB;

      const range = await sha256Of(await storage.get(key, { start, end }));

      expect(range).toEqual({ hash: sha256(file.subarray(start, end + 1)), size: end - start + 1 });
      const head = await sha256Of(await storage.get(key, { start: 0, end: 99 }));
      expect(head).toEqual({ hash: sha256(file.subarray(0, 100)), size: 100 });
      const tail = await sha256Of(await storage.get(key, { start: file.length - 10, end: file.length - 1 }));
      expect(tail).toEqual({ hash: sha256(file.subarray(file.length - 10)), size: 10 });
    });

    it('stores a small file in a single request', async () => {
      const small = randomBytes(100_000);
      await storage.put('tickets/small', streamOf(small));

      await expect(sha256Of(await storage.get('tickets/small'))).resolves.toEqual({
        hash: sha256(small),
        size: small.length,
      });
    });

    it('deletes, and deleting a missing key is not an error', async () => {
      await storage.delete(key);

      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.delete(key)).resolves.toBeUndefined();
      expect(await objectKeys()).not.toContain(key);
    });

    it('keeps nothing when the body fails halfway, and reports the body error', async () => {
      const failing = 'tickets/client-went-away';
      const bodyError = new Error('client went away');
      const body = Readable.from(
        (async function* () {
          yield* streamOf(randomBytes(7 * MiB));
          throw bodyError;
        })(),
      );

      await expect(storage.put(failing, body)).rejects.toBe(bodyError);

      expect(await objectKeys()).not.toContain(failing);
      await expect(storage.get(failing)).rejects.toBeInstanceOf(StorageUnavailableError);
    });
  });

  describe('with the server stopped', () => {
    const kept = 'tickets/kept';
    const keptBytes = randomBytes(MiB);
    const lost = 'tickets/never-stored';

    beforeAll(async () => {
      await storage.put(kept, streamOf(keptBytes));
      await server.stop();
    });

    it('rejects a put with StorageUnavailableError', async () => {
      const error = await rejection(storage.put(lost, streamOf(randomBytes(6 * MiB))));

      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });

    it('rejects reads and deletes with StorageUnavailableError', async () => {
      await expect(storage.get(kept)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.delete(kept)).rejects.toBeInstanceOf(StorageUnavailableError);
    });

    it('once back, holds what was stored before and nothing of the failed put', async () => {
      server = await startS3rver(directory, server.port, BUCKET);

      const keys = await objectKeys();
      expect(keys).toContain(kept);
      expect(keys).not.toContain(lost);
      await expect(storage.get(lost)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(sha256Of(await storage.get(kept))).resolves.toEqual({
        hash: sha256(keptBytes),
        size: keptBytes.length,
      });
    });
  });
});
