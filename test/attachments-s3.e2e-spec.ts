import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, NotFound, paginateListObjectsV2, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Role } from '@ticketing/contracts';
import type supertest from 'supertest';
import { ABANDONED_UPLOAD_AGE_MS, OrphanSweeper } from '../apps/ticket-service/src/modules/attachments/orphan-sweeper';
import {
  attachmentRowCount,
  MiB,
  PNG,
  collect,
  filesUnder,
  logBytes,
  sha256,
  storageIntents,
  until,
} from './support/attachment-files';
import { auth, createTicket } from './support/factories';
import { S3RVER_CREDENTIALS, S3RVER_REGION, type S3Server, s3StorageEnv, startS3rver } from './support/s3-server';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/**
 * The attachment flows through HTTP with STORAGE_DRIVER=s3, against a real S3-protocol server (s3rver, a child
 * process): what the bucket holds is read with the AWS SDK, independently of the service's driver.
 */

/** Above S3's 5 MiB part size, so a file at the limit goes up as a three-part multipart upload. */
const LIMIT = 12 * MiB;
const BUCKET = 'ticket-attachments';
const KEY_PATTERN = /^attachments\/[0-9a-f]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A supertest parser that keeps any body as bytes (it would decode text types); it is handed Node's response. */
function binary(res: supertest.Response, callback: (error: Error | null, body: Buffer) => void): void {
  collect(res as unknown as http.IncomingMessage).then(
    (body) => callback(null, body),
    (error: Error) => callback(error, Buffer.alloc(0)),
  );
}

const BOUNDARY = 'attachments-s3-boundary';
const multipartHead = (filename: string): Buffer =>
  Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
const MULTIPART_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

describe('attachments on the S3 driver', () => {
  const directory = mkdtempSync(join(tmpdir(), 'attachments-s3-'));
  let server: S3Server;
  let s3: S3Client;
  let t: TestApp;
  let staging: string;
  let reporter: TestUser;

  beforeAll(async () => {
    server = await startS3rver(directory, 0, BUCKET);
    s3 = new S3Client({
      endpoint: server.endpoint,
      region: S3RVER_REGION,
      credentials: S3RVER_CREDENTIALS,
      forcePathStyle: true,
    });
    t = await startTestApp({
      ...s3StorageEnv(BUCKET, server.endpoint),
      UPLOAD_MAX_FILE_SIZE: String(LIMIT),
    });
    staging = join(t.config.storage.path, 'incoming');
    reporter = t.user(Role.END_USER);
  });

  afterAll(async () => {
    await t?.close();
    await server?.stop();
    s3?.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  /** The keys in the bucket, read with the SDK (not the service's driver). */
  async function objectKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET })) {
      for (const object of page.Contents ?? []) keys.push(object.Key!);
    }
    return keys.sort();
  }

  async function objectSize(key: string): Promise<number | null> {
    try {
      return (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength ?? null;
    } catch (error) {
      if (error instanceof NotFound) return null;
      throw error;
    }
  }

  function upload(ticketId: string, content: Buffer, filename: string): supertest.Test {
    return t
      .http()
      .post(`/api/v1/tickets/${ticketId}/attachments`)
      .set(...auth(reporter))
      .attach('file', content, filename);
  }

  function download(attachmentId: string): supertest.Test {
    return t
      .http()
      .get(`/api/v1/attachments/${attachmentId}`)
      .set(...auth(reporter))
      .buffer(true)
      .parse(binary);
  }

  const rowCount = (ticketId: string): Promise<number> => attachmentRowCount(t, ticketId);

  async function storageKeyOf(attachmentId: string): Promise<string> {
    const [row] = await t.dataSource.query<{ storage_key: string }[]>(
      'SELECT storage_key FROM attachments WHERE id = $1',
      [attachmentId],
    );
    return row.storage_key;
  }

  describe('a file at the size limit', () => {
    const content = logBytes(LIMIT);
    let keysBefore: string[];
    let attachment: Record<string, any>;

    beforeAll(async () => {
      const ticket = await createTicket(t, reporter);
      keysBefore = await objectKeys();
      attachment = (await upload(ticket.id, content, 'build-agent.log').expect(201)).body;
    });

    it('is stored as one object under a random key, with nothing kept on the local disk', async () => {
      expect(attachment).toMatchObject({ size_bytes: LIMIT, sha256: sha256(content), filename: 'build-agent.log' });
      const key = await storageKeyOf(attachment.id);
      expect(key).toMatch(KEY_PATTERN);
      expect(await objectKeys()).toEqual([...keysBefore, key].sort());
      expect(await objectSize(key)).toBe(LIMIT);
      expect(filesUnder(t.config.storage.path)).toEqual([]);
    });

    it('is listed and downloads with the same SHA-256, length and ETag', async () => {
      const list = await t
        .http()
        .get(`/api/v1/tickets/${attachment.ticket_id}/attachments`)
        .set(...auth(reporter))
        .expect(200);
      expect(list.body.items).toEqual([attachment]);

      const res = await download(attachment.id).expect(200);
      expect(res.body.length).toBe(LIMIT);
      expect(sha256(res.body)).toBe(attachment.sha256);
      expect(res.headers).toMatchObject({
        'content-length': String(LIMIT),
        'content-type': 'text/plain',
        etag: `"${attachment.sha256}"`,
        'accept-ranges': 'bytes',
      });
    });

    it('answers a Range across the first multipart part boundary with 206 and exactly that slice', async () => {
      const start = 5 * MiB - 1000;
      const end = 5 * MiB + 999;
      const res = await download(attachment.id).set('Range', `bytes=${start}-${end}`).expect(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${LIMIT}`);
      expect(res.headers['content-length']).toBe('2000');
      expect(res.body.equals(content.subarray(start, end + 1))).toBe(true);

      const suffix = await download(attachment.id).set('Range', 'bytes=-100').expect(206);
      expect(suffix.headers['content-range']).toBe(`bytes ${LIMIT - 100}-${LIMIT - 1}/${LIMIT}`);
      expect(suffix.body.equals(content.subarray(LIMIT - 100))).toBe(true);
    });
  });

  it('refuses one byte more than the limit with 413, leaving no object and no row', async () => {
    const ticket = await createTicket(t, reporter);
    const keysBefore = await objectKeys();
    const res = await upload(ticket.id, logBytes(LIMIT + 1), 'too-big.log').expect(413);
    expect(res.body.error_code).toBe('PAYLOAD_TOO_LARGE');
    expect(await objectKeys()).toEqual(keysBefore);
    expect(await rowCount(ticket.id)).toBe(0);
    expect(filesUnder(staging)).toEqual([]);
  });

  it('keeps no object and no row from a client that disconnects half-way', async () => {
    const ticket = await createTicket(t, reporter);
    const keysBefore = await objectKeys();
    const content = logBytes(8 * MiB);
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const request = http.request({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      path: `/api/v1/tickets/${ticket.id}/attachments`,
      headers: {
        Authorization: `Bearer ${reporter.token}`,
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Content-Length': String(multipartHead('cut.log').length + content.length + MULTIPART_TAIL.length),
      },
    });
    request.on('error', () => undefined);
    request.write(multipartHead('cut.log'));
    request.write(content.subarray(0, content.length / 2));
    // The server has started receiving once its staging file exists.
    await until(() => filesUnder(staging).length > 0, 'the staging file');
    request.destroy();
    await until(() => filesUnder(staging).length === 0, 'the partial file to be removed');

    expect(await objectKeys()).toEqual(keysBefore);
    expect(await rowCount(ticket.id)).toBe(0);
  });

  it('refuses PNG bytes named .pdf with 415, storing nothing', async () => {
    const ticket = await createTicket(t, reporter);
    const keysBefore = await objectKeys();
    const res = await upload(ticket.id, PNG, 'invoice.pdf').expect(415);
    expect(res.body.error_code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(await objectKeys()).toEqual(keysBefore);
    expect(await rowCount(ticket.id)).toBe(0);
    expect(filesUnder(staging)).toEqual([]);
  });

  it('removes the object when the attachment is deleted', async () => {
    const ticket = await createTicket(t, reporter);
    const created = await upload(ticket.id, Buffer.from('to be deleted'), 'delete-me.txt').expect(201);
    const key = await storageKeyOf(created.body.id);
    expect(await objectSize(key)).toBe('to be deleted'.length);

    await t
      .http()
      .delete(`/api/v1/attachments/${created.body.id}`)
      .set(...auth(reporter))
      .expect(204);

    expect(await objectSize(key)).toBeNull();
    expect(await objectKeys()).not.toContain(key);
    await download(created.body.id).expect(404);
  });

  it('sweeps only the keys this installation recorded, never another object of a shared bucket', async () => {
    const ticket = await createTicket(t, reporter);
    const kept = await upload(ticket.id, Buffer.from('kept'), 'kept.txt').expect(201);
    const deleted = await upload(ticket.id, Buffer.from('deleted'), 'deleted.txt').expect(201);
    const keptKey = await storageKeyOf(kept.body.id);
    const deletedKey = await storageKeyOf(deleted.body.id);
    const recordIntent = (key: string, kind: string, createdAt: Date) =>
      t.dataSource.query('INSERT INTO attachment_storage_intents (storage_key, kind, created_at) VALUES ($1, $2, $3)', [
        key,
        kind,
        createdAt,
      ]);
    // A deletion whose process died after its transaction, before the object went.
    await t.dataSource.query('UPDATE attachments SET deleted_at = now() WHERE id = $1', [deleted.body.id]);
    await recordIntent(deletedKey, 'DISCARD', new Date());
    // An upload whose process died between storing and committing, longer ago than the age bound.
    const abandonedKey = `attachments/ff/${randomUUID()}`;
    await recordIntent(abandonedKey, 'UPLOAD', new Date(Date.now() - ABANDONED_UPLOAD_AGE_MS - 60_000));
    const abandonedStaged = join(staging, abandonedKey.slice(-36));
    writeFileSync(abandonedStaged, 'staged before the crash');
    // Objects this installation never recorded: another installation's in a shared bucket, and not the service's.
    const foreignKeys = [`attachments/ee/${randomUUID()}`, `exports/${randomUUID()}.csv`];
    for (const key of [abandonedKey, ...foreignKeys]) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from(key) }));
    }

    await expect(t.app.get(OrphanSweeper).sweep()).resolves.toBe(2);

    const liveKeys = await t.dataSource.query<{ storage_key: string }[]>(
      'SELECT storage_key FROM attachments WHERE deleted_at IS NULL',
    );
    expect(await objectKeys()).toEqual([...liveKeys.map((row) => row.storage_key), ...foreignKeys].sort());
    expect(await objectKeys()).toContain(keptKey);
    expect(existsSync(abandonedStaged)).toBe(false);
    expect(await storageIntents(t)).toEqual([]);
    await download(kept.body.id).expect(200);
  });

  describe('with the S3 server down', () => {
    let ticketId: string;
    let storedId: string;
    let keysBefore: string[];

    beforeAll(async () => {
      ticketId = (await createTicket(t, reporter)).id;
      storedId = (await upload(ticketId, Buffer.from('stored before the outage'), 'before.txt').expect(201)).body.id;
      keysBefore = await objectKeys();
      await server.stop();
    });

    it('answers an upload with 507 INSUFFICIENT_STORAGE, keeping no row and no staged file', async () => {
      const res = await upload(ticketId, logBytes(6 * MiB), 'during-outage.log').expect(507);
      expect(res.body.error_code).toBe('INSUFFICIENT_STORAGE');
      expect(await rowCount(ticketId)).toBe(1);
      expect(filesUnder(staging)).toEqual([]);
    });

    it('answers a download with 507', async () => {
      const res = await t
        .http()
        .get(`/api/v1/attachments/${storedId}`)
        .set(...auth(reporter))
        .expect(507);
      expect(res.body.error_code).toBe('INSUFFICIENT_STORAGE');
    });

    it('once the server is back, holds what was stored before and nothing of the failed upload', async () => {
      server = await startS3rver(directory, server.port, BUCKET);
      expect(await objectKeys()).toEqual(keysBefore);
      const res = await download(storedId).expect(200);
      expect(res.body.toString()).toBe('stored before the outage');
    });
  });
});
