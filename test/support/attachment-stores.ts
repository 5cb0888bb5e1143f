import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  NotFound,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { BlobServiceClient, type ContainerClient, RestError } from '@azure/storage-blob';
import type { StorageDriverKind } from '../../apps/ticket-service/src/config/app-config';
import { filesUnder } from './attachment-files';
import { type AzuriteServer, azureStorageEnv, startAzurite } from './store-servers.mjs';
import { S3RVER_CREDENTIALS, S3RVER_REGION, type S3Server, s3StorageEnv, startS3rver } from './s3-server';

/**
 * The attachment stores the attachment suites run on alike: the local disk, S3 (s3rver) and Azure Blob (Azurite),
 * the servers started here as child processes on free loopback ports with their data in temp directories. What a
 * store holds is read with its own SDK (or the filesystem), independently of the service's driver.
 */

export const STORE_KINDS: readonly StorageDriverKind[] = ['local', 's3', 'azure'];
export const OBJECT_STORE_KINDS: readonly StorageDriverKind[] = ['s3', 'azure'];

/** What a store keeps of one object. */
export interface StoredObject {
  size: number;
  /** Null on the local disk, which keeps the bytes only (the row has the rest). */
  contentType: string | null;
  sha256: string | null;
}

/** The local disk answers at once, the object stores over HTTP. */
type Awaitable<T> = T | Promise<T>;

export interface AttachmentStore {
  kind: StorageDriverKind;
  /** The service's environment for this store (driver and its settings). */
  env: Record<string, string>;
  /** The keys the store holds, sorted (on the local disk: files outside the staging area). */
  keys(): Awaitable<string[]>;
  object(key: string): Awaitable<StoredObject | null>;
  /** Writes an object behind the service's back (another installation's, a crash's leftover). */
  write(key: string, bytes: Buffer): Awaitable<void>;
  /** Removes an object behind the service's back. */
  remove(key: string): Awaitable<void>;
  /** What an interrupted put of `key` leaves besides the object (the local disk's temporary file). */
  leftoversOfPut(key: string): string[];
  /** Makes every write and read fail (the server stopped, the directory unusable), and undoes it. */
  breakDown(): Awaitable<void>;
  restore(): Awaitable<void>;
  close(): Awaitable<void>;
}

const BUCKET = 'ticket-attachments';
const CONTAINER = 'ticket-attachments';

export function openStore(kind: StorageDriverKind): Promise<AttachmentStore> {
  switch (kind) {
    case 'local':
      return Promise.resolve(localStore());
    case 's3':
      return s3Store();
    case 'azure':
      return azureStore();
  }
}

function localStore(): AttachmentStore {
  const root = mkdtempSync(join(tmpdir(), 'attachments-local-'));
  const objects = join(root, 'attachments');
  const aside = join(root, 'attachments-aside');
  return {
    kind: 'local',
    env: { UPLOAD_STORAGE_PATH: root },
    keys: () => filesUnder(root).filter((file) => !file.startsWith('incoming/')),
    object: (key) => {
      const path = join(root, key);
      return existsSync(path) ? { size: statSync(path).size, contentType: null, sha256: null } : null;
    },
    write: (key, bytes) => {
      mkdirSync(dirname(join(root, key)), { recursive: true });
      writeFileSync(join(root, key), bytes);
    },
    remove: (key) => rmSync(join(root, key)),
    leftoversOfPut: (key) => [`${key}.partial`],
    breakDown: () => {
      mkdirSync(objects, { recursive: true });
      renameSync(objects, aside);
      // A file where the store's directory should be: every write into it fails (ENOTDIR), even as root.
      writeFileSync(objects, '');
    },
    restore: () => {
      rmSync(objects);
      renameSync(aside, objects);
    },
    close: () => rmSync(root, { recursive: true, force: true }),
  };
}

async function s3Store(): Promise<AttachmentStore> {
  const directory = mkdtempSync(join(tmpdir(), 'attachments-s3-'));
  let server: S3Server = await startS3rver(directory, 0, BUCKET);
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: S3RVER_REGION,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
  });
  return {
    kind: 's3',
    env: s3StorageEnv(BUCKET, server.endpoint),
    keys: async () => {
      const keys: string[] = [];
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET })) {
        for (const object of page.Contents ?? []) keys.push(object.Key!);
      }
      return keys.sort();
    },
    object: async (key) => {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        return {
          size: head.ContentLength ?? -1,
          contentType: head.ContentType ?? null,
          sha256: head.Metadata?.sha256 ?? null,
        };
      } catch (error) {
        if (error instanceof NotFound) return null;
        throw error;
      }
    },
    write: async (key, bytes) => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
    },
    remove: async (key) => {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    },
    leftoversOfPut: () => [],
    breakDown: () => server.stop(),
    restore: async () => {
      server = await startS3rver(directory, server.port, BUCKET);
    },
    close: async () => {
      await server.stop();
      s3.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function azureStore(): Promise<AttachmentStore> {
  const directory = mkdtempSync(join(tmpdir(), 'attachments-azure-'));
  let server: AzuriteServer = await startAzurite(directory, 0);
  // The service creates its container at start-up.
  const container: ContainerClient = BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient(
    CONTAINER,
  );
  return {
    kind: 'azure',
    env: azureStorageEnv(CONTAINER, server.connectionString),
    keys: async () => {
      const keys: string[] = [];
      if (!(await container.exists())) return keys;
      for await (const blob of container.listBlobsFlat()) keys.push(blob.name);
      return keys.sort();
    },
    object: async (key) => {
      try {
        const properties = await container.getBlobClient(key).getProperties();
        return {
          size: properties.contentLength ?? -1,
          contentType: properties.contentType ?? null,
          sha256: properties.metadata?.sha256 ?? null,
        };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return null;
        throw error;
      }
    },
    write: async (key, bytes) => {
      await container.createIfNotExists();
      await container.getBlockBlobClient(key).uploadData(bytes);
    },
    remove: async (key) => {
      await container.getBlobClient(key).delete();
    },
    leftoversOfPut: () => [],
    breakDown: () => server.stop(),
    restore: async () => {
      server = await startAzurite(directory, server.port);
    },
    close: async () => {
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
