import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BlobServiceClient,
  generateAccountSASQueryParameters,
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { createStorageDriver } from '../apps/ticket-service/src/modules/attachments/attachments.providers';
import { AzureBlobStorageDriver } from '../apps/ticket-service/src/modules/attachments/storage/azure-blob-storage.driver';
import {
  type DownloadUrlSigner,
  type StorageDriver,
  StorageUnavailableError,
} from '../apps/ticket-service/src/modules/attachments/storage/storage-driver';
import { parseConfig } from '../apps/ticket-service/src/config/app-config';
import { type AttachmentStore, OBJECT_STORE_KINDS, openStore } from './support/attachment-stores';
import { AZURITE_ACCOUNT, AZURITE_KEY, azuriteConnectionString } from './support/store-servers.mjs';
import { S3RVER_CREDENTIALS, S3RVER_REGION } from './support/s3-server';

/**
 * The object-store drivers (S3 on s3rver, Azure Blob on Azurite), built by the service's own factory from the
 * environment, against the real servers: streaming uploads in parts or blocks, what the store keeps beside the
 * bytes, ranged reads, deletes, signed download URLs and failures. What the store holds is read with its own SDK.
 * The local disk driver has its unit spec (local-disk-storage.driver.spec.ts).
 */

const MiB = 1024 * 1024;
const INFO = { contentType: 'text/plain', sha256: 'f'.repeat(64) };

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

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

/**
 * Checks a presigned S3 URL's SigV4 signature by the specification, independently of the SDK (s3rver checks a
 * presigned URL's expiry, not its signature): canonical request, string to sign, signing key, HMAC.
 */
function sigV4Valid(url: URL, secretAccessKey: string): boolean {
  const rfc3986 = (text: string): string =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .sort()
    .join('&');
  const signedHeaders = url.searchParams.get('X-Amz-SignedHeaders')!;
  const canonical = ['GET', url.pathname, query, `host:${url.host}\n`, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const [, day, region, service] = url.searchParams.get('X-Amz-Credential')!.split('/');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex') === url.searchParams.get('X-Amz-Signature');
}

describe.each(OBJECT_STORE_KINDS)('the %s storage driver', (kind) => {
  let store: AttachmentStore;
  let storage: StorageDriver & DownloadUrlSigner;

  beforeAll(async () => {
    store = await openStore(kind);
    storage = (await createStorageDriver(parseConfig(store.env).storage)) as StorageDriver & DownloadUrlSigner;
  });

  afterAll(async () => {
    await store?.close();
  });

  describe('with the server up', () => {
    // 12 MiB + 3 bytes: three S3 parts (5 MiB, 5 MiB, the rest), four Azure blocks (4 MiB each, the rest).
    const file = randomBytes(12 * MiB + 3);
    const key = 'tickets/0c1f/7d2e-multipart';

    it('stores a multi-MiB stream with its content type and hash, and returns the same bytes', async () => {
      await storage.put(key, streamOf(file), { contentType: 'application/pdf', sha256: sha256(file) });

      expect(await store.object(key)).toEqual({
        size: file.length,
        contentType: 'application/pdf',
        sha256: sha256(file),
      });
      await expect(sha256Of(await storage.get(key))).resolves.toEqual({ hash: sha256(file), size: file.length });
    });

    it('returns an inclusive byte range, also across a part or block boundary', async () => {
      const start = 4 * MiB - 1_000;
      const end = 5 * MiB + 2 * MiB;

      const range = await sha256Of(await storage.get(key, { start, end }));

      expect(range).toEqual({ hash: sha256(file.subarray(start, end + 1)), size: end - start + 1 });
      const head = await sha256Of(await storage.get(key, { start: 0, end: 99 }));
      expect(head).toEqual({ hash: sha256(file.subarray(0, 100)), size: 100 });
      const tail = await sha256Of(await storage.get(key, { start: file.length - 10, end: file.length - 1 }));
      expect(tail).toEqual({ hash: sha256(file.subarray(file.length - 10)), size: 10 });
    });

    it('stores a staged file, in parts or in one request, with its content type and hash', async () => {
      const staging = mkdtempSync(join(tmpdir(), 'storage-drivers-'));
      try {
        for (const [name, bytes] of [
          ['multipart', file],
          ['one-part', randomBytes(100_000)],
        ] as const) {
          const path = join(staging, name);
          writeFileSync(path, bytes);
          await storage.putFile(`tickets/file-${name}`, path, {
            contentType: 'application/pdf',
            sha256: sha256(bytes),
          });

          expect(await store.object(`tickets/file-${name}`)).toEqual({
            size: bytes.length,
            contentType: 'application/pdf',
            sha256: sha256(bytes),
          });
          await expect(sha256Of(await storage.get(`tickets/file-${name}`))).resolves.toEqual({
            hash: sha256(bytes),
            size: bytes.length,
          });
        }
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    });

    it('stores a small file', async () => {
      const small = randomBytes(100_000);
      await storage.put('tickets/small', streamOf(small), INFO);

      await expect(sha256Of(await storage.get('tickets/small'))).resolves.toEqual({
        hash: sha256(small),
        size: small.length,
      });
    });

    it('signs a read-only download URL that forces the disposition and type, and that expires', async () => {
      const download = {
        contentDisposition: "attachment; filename*=UTF-8''build%20log.txt",
        contentType: 'text/plain',
        // Signed times have whole seconds, so the URL lives 2–3 s: enough for the checks below on a busy machine.
        expiresInSeconds: 3,
      };
      const url = await storage.signedDownloadUrl('tickets/small', download);

      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(download.contentDisposition);
      expect(res.headers.get('content-type')).toBe('text/plain');
      await res.arrayBuffer();
      if (kind === 'azure') {
        // Read only: the URL cannot remove the object.
        expect((await fetch(url, { method: 'DELETE' })).status).toBe(403);
        expect(await store.object('tickets/small')).not.toBeNull();
      } else {
        // s3rver checks a presigned URL's expiry but not its signature: checked here by the specification. The
        // signature covers the method (GET only), the key and the forced disposition.
        expect(sigV4Valid(new URL(url), S3RVER_CREDENTIALS.secretAccessKey)).toBe(true);
        const tampered = new URL(url);
        tampered.searchParams.set('response-content-disposition', 'inline');
        expect(sigV4Valid(tampered, S3RVER_CREDENTIALS.secretAccessKey)).toBe(false);
        expect(new URL(url).searchParams.get('X-Amz-Credential')).toContain(`/${S3RVER_REGION}/s3/aws4_request`);
      }
      // Past the second after the expiry, the URL has expired.
      await new Promise((done) => setTimeout(done, 4_100));
      expect((await fetch(url)).status).toBe(403);
    });

    it('deletes, and deleting a missing key is not an error', async () => {
      await storage.delete(key);

      await expect(storage.get(key)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.delete(key)).resolves.toBeUndefined();
      expect(await store.keys()).not.toContain(key);
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

      await expect(storage.put(failing, body, INFO)).rejects.toBe(bodyError);

      expect(await store.keys()).not.toContain(failing);
      await expect(storage.get(failing)).rejects.toBeInstanceOf(StorageUnavailableError);
    });
  });

  describe('with the server stopped', () => {
    const kept = 'tickets/kept';
    const keptBytes = randomBytes(MiB);
    const lost = 'tickets/never-stored';

    beforeAll(async () => {
      await storage.put(kept, streamOf(keptBytes), INFO);
      await store.breakDown();
    });

    it('rejects a put with StorageUnavailableError', async () => {
      const error = await rejection(storage.put(lost, streamOf(randomBytes(6 * MiB)), INFO));

      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });

    it('rejects a put of a staged file with StorageUnavailableError', async () => {
      const staging = mkdtempSync(join(tmpdir(), 'storage-drivers-'));
      try {
        const path = join(staging, 'staged');
        writeFileSync(path, randomBytes(6 * MiB));

        const error = await rejection(storage.putFile(lost, path, INFO));

        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect((error as Error).message).toMatch(/ECONNREFUSED/);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    });

    it('rejects reads and deletes with StorageUnavailableError', async () => {
      await expect(storage.get(kept)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.delete(kept)).rejects.toBeInstanceOf(StorageUnavailableError);
    });

    it('once back, holds what was stored before and nothing of the failed put', async () => {
      await store.restore();

      const keys = await store.keys();
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

describe('the azure storage driver’s container', () => {
  let store: AttachmentStore;
  let connectionString: string;

  beforeAll(async () => {
    store = await openStore('azure');
    connectionString = store.env.AZURE_STORAGE_CONNECTION_STRING;
  });

  afterAll(async () => {
    await store?.close();
  });

  const envFor = (container: string, connection: string) =>
    parseConfig({
      STORAGE_DRIVER: 'azure',
      AZURE_STORAGE_CONNECTION_STRING: connection,
      AZURE_STORAGE_CONTAINER: container,
    }).storage;

  it('is created at start-up when missing, and an existing one is used as it is', async () => {
    const container = `created-${randomUUID().slice(0, 8)}`;
    const service = BlobServiceClient.fromConnectionString(connectionString);
    expect(await service.getContainerClient(container).exists()).toBe(false);

    const driver = await createStorageDriver(envFor(container, connectionString));
    await driver.put('tickets/one', streamOf(Buffer.from('one')), INFO);

    expect(await service.getContainerClient(container).exists()).toBe(true);
    await createStorageDriver(envFor(container, connectionString));
    await expect(sha256Of(await driver.get('tickets/one'))).resolves.toEqual({ hash: sha256('one'), size: 3 });
  });

  it('stops the start-up with a clear error when the credentials may not create it', async () => {
    // An account SAS that may read and list but not create: the connection string a locked-down deployment gets.
    const sas = generateAccountSASQueryParameters(
      {
        permissions: AccountSASPermissions.parse('rl'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
        expiresOn: new Date(Date.now() + 3_600_000),
      },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const blobEndpoint = /BlobEndpoint=([^;]+)/.exec(connectionString)![1];
    const readOnly = `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${sas}`;

    await expect(createStorageDriver(envFor('not-allowed', readOnly))).rejects.toThrow(
      /the container "not-allowed" \(AZURE_STORAGE_CONTAINER\) does not exist and these credentials may not create it/,
    );
  });
});

describe('the azure storage driver against a store that never answers', () => {
  const sockets = new Set<Socket>();
  // Accepts connections and reads nothing: a hung process, the kernel still accepting.
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.pause();
  });
  let driver: AzureBlobStorageDriver;

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    driver = new AzureBlobStorageDriver({
      credentials: { connectionString: azuriteConnectionString(port) },
      container: 'c',
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('fails a download with StorageUnavailableError once the store has not answered for 16 s', async () => {
    const started = Date.now();
    const error = await rejection(driver.get('tickets/any'));

    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toMatch(/Azure download: no answer within 16000 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15_900);
    expect(Date.now() - started).toBeLessThan(25_000);
  }, 40_000);
});
