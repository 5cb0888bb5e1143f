import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Role } from '@ticketing/contracts';
import { Client } from 'pg';
import { ABANDONED_UPLOAD_AGE_MS } from '../apps/ticket-service/src/modules/attachments/orphan-sweeper';
import {
  attachmentRowCount,
  eventually,
  filesUnder,
  logBytes,
  MiB,
  sha256,
  startStreamedUpload,
  storageIntents,
  until,
} from './support/attachment-files';
import { itOnPostgres } from './support/conditions';
import { auth, createTicket, ticketBody } from './support/factories';
import { Installation, type Query } from './support/installation';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/**
 * Issue 11, faults 5(c) and 5(d): the service killed in the middle of uploads, and an attachment store that is
 * full. Whatever happens, an attachment is either whole (row, bytes, checksum) or not there at all, and nothing
 * is left that its installation's records do not name.
 */

describe('faults: the service killed with SIGKILL during uploads (issue 11, 5c)', () => {
  let storage: string;
  let service: Installation;
  let reporter: TestUser;
  /** SQL on the service's database (PostgreSQL: also while the service runs). */
  let query: Query;

  async function newTicket(): Promise<string> {
    const res = await service.http
      .post('/api/v1/tickets')
      .set(...auth(reporter))
      .send(ticketBody())
      .expect(201);
    return res.body.id as string;
  }

  async function intentKeys(): Promise<string[]> {
    const rows = await query<{ storage_key: string }>('SELECT storage_key FROM attachment_storage_intents');
    return rows.map((row) => row.storage_key).sort();
  }

  async function rowsOf(ticketId: string): Promise<{ id: string; storage_key: string; sha256: string }[]> {
    return query('SELECT id, storage_key, sha256 FROM attachments WHERE ticket_id = $1', [ticketId]);
  }

  /** A session of the test's own holding the ticket's row lock, which an upload's commit waits for. */
  async function lockTicket(ticketId: string): Promise<Client> {
    const session = new Client({ connectionString: service.databaseUrl! });
    await session.connect();
    await session.query('BEGIN');
    await session.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE', [ticketId]);
    return session;
  }

  itOnPostgres(
    'the test watches rows and holds a ticket lock from a session of its own while the service runs; the ' +
      'embedded database lives inside the process that is killed',
  )(
    'after a kill mid-stream, between storing and committing, and right after a commit, a restart leaves no ' +
      'orphan row or file and every committed attachment whole',
    async () => {
      storage = mkdtempSync(join(tmpdir(), 'killed-attachments-'));
      service = await Installation.create('killed', storage);
      query = (sql, params) => service.withDatabase((run) => run(sql, params));
      let lock: Client | null = null;
      try {
        await service.start();
        reporter = service.user(Role.END_USER);
        const tickets = {
          before: await newTicket(),
          midStream: await newTicket(),
          blocked: await newTicket(),
          justCommitted: await newTicket(),
        };
        const contents = { before: logBytes(400_000), blocked: logBytes(300_000), justCommitted: logBytes(200_000) };
        await service.http
          .post(`/api/v1/tickets/${tickets.before}/attachments`)
          .set(...auth(reporter))
          .attach('file', contents.before, 'before.log')
          .expect(201);

        // 1. Half of a file has arrived and is being staged.
        const streaming = startStreamedUpload(
          service.url,
          reporter.token,
          tickets.midStream,
          'mid.log',
          logBytes(MiB),
          MiB / 2,
        );
        streaming.response.catch(() => undefined);
        await until(() => filesUnder(join(storage, 'incoming')).length === 1, 'the staged half file');

        // 2. A whole file is stored; its commit waits for the ticket's row, which the test holds.
        lock = await lockTicket(tickets.blocked);
        const blocked = startStreamedUpload(
          service.url,
          reporter.token,
          tickets.blocked,
          'blocked.log',
          contents.blocked,
          0,
        );
        blocked.response.catch(() => undefined);
        blocked.finish();
        await eventually(
          async () => (await intentKeys()).some((key) => filesUnder(storage).includes(key)),
          'the blocked upload’s stored object',
        );

        // 3. Killed as soon as this upload's row has committed (before or after its answer left).
        const last = startStreamedUpload(
          service.url,
          reporter.token,
          tickets.justCommitted,
          'committed.log',
          contents.justCommitted,
          0,
        );
        const lastAnswer = last.response.catch(() => null);
        last.finish();
        await eventually(async () => (await rowsOf(tickets.justCommitted)).length === 1, 'the last row to commit');
        await service.stop('SIGKILL');
        const acknowledged = await lastAnswer;
        await lock.query('ROLLBACK');

        // What the crash left: the committed rows, and files that are their objects or that an intent names
        // (the half-staged file and the stored object whose row never committed), nothing else.
        const objects = [...(await rowsOf(tickets.before)), ...(await rowsOf(tickets.justCommitted))].map(
          (row) => row.storage_key,
        );
        expect(objects).toHaveLength(2);
        const keys = await intentKeys();
        expect(keys).toHaveLength(2);
        const files = filesUnder(storage);
        const stagedHalf = keys.find((key) => files.includes(`incoming/${basename(key)}`));
        const storedOnly = keys.find((key) => files.includes(key));
        expect([stagedHalf, storedOnly].sort()).toEqual(keys);
        expect(files).toEqual([...objects, storedOnly!, `incoming/${basename(stagedHalf!)}`].sort());
        // An upload whose 201 reached its client is one of the committed rows.
        if (acknowledged?.status === 201) {
          expect((await rowsOf(tickets.justCommitted))[0].id).toBe(acknowledged.body.id);
        }

        // The age bound passes; the restarted service sweeps at start-up.
        await query(`UPDATE attachment_storage_intents SET created_at = created_at - $1 * interval '1 millisecond'`, [
          ABANDONED_UPLOAD_AGE_MS + 60_000,
        ]);
        await service.start();
        await eventually(async () => (await intentKeys()).length === 0, 'the sweep at start-up');

        expect(filesUnder(storage)).toEqual([...objects].sort());
        expect(await rowsOf(tickets.midStream)).toEqual([]);
        expect(await rowsOf(tickets.blocked)).toEqual([]);
        for (const ticketId of [tickets.midStream, tickets.blocked]) {
          const list = await service.http
            .get(`/api/v1/tickets/${ticketId}/attachments`)
            .set(...auth(reporter))
            .expect(200);
          expect(list.body.total).toBe(0);
        }
        for (const [ticketId, content] of [
          [tickets.before, contents.before],
          [tickets.justCommitted, contents.justCommitted],
        ] as const) {
          const [row] = await rowsOf(ticketId);
          expect(row.sha256).toBe(sha256(content));
          const download = await fetch(`${service.url}/api/v1/attachments/${row.id}`, {
            headers: { Authorization: `Bearer ${reporter.token}` },
          });
          expect(download.status).toBe(200);
          expect(download.headers.get('etag')).toBe(`"${sha256(content)}"`);
          expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(content));
        }
      } finally {
        await lock?.end().catch(() => undefined);
        await service.destroy();
        rmSync(storage, { recursive: true, force: true });
      }
    },
    180_000,
  );
});

describe('the upload operation in the API document (issue 11, 5d)', () => {
  it('documents 507 INSUFFICIENT_STORAGE with the error body', () => {
    const document = JSON.parse(readFileSync(join(__dirname, '../libs/contracts/openapi.json'), 'utf8'));
    const upload = document.paths['/api/v1/tickets/{ticket_id}/attachments'].post;
    expect(upload.operationId).toBe('uploadAttachment');
    expect(upload.responses['507']).toMatchObject({
      description: expect.stringContaining('INSUFFICIENT_STORAGE'),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
    });
  });
});

/** Why a size-capped tmpfs cannot be mounted here, or null when it can (tried once with a probe mount). */
function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a size-capped tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'tmpfs-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.status !== 0) return `mount -t tmpfs failed (${(mounted.stderr || String(mounted.error)).trim()})`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Unmounts, waiting a little for files still being closed; a lazy unmount if that does not help. */
async function unmount(path: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const result = spawnSync('umount', [path], { encoding: 'utf8' });
    if (result.status === 0) return;
    if (Date.now() > deadline) {
      spawnSync('umount', ['--lazy', path]);
      throw new Error(`umount ${path} failed: ${result.stderr.trim()}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

const TMPFS_UNAVAILABLE = tmpfsUnavailable();
const describeWithTmpfs = TMPFS_UNAVAILABLE === null ? describe : describe.skip;

describeWithTmpfs(
  `faults: the attachment store is full (issue 11, 5d)${TMPFS_UNAVAILABLE ? ` [skipped: ${TMPFS_UNAVAILABLE}]` : ''}`,
  () => {
    /** A 1 MiB tmpfs with room for 64 files and directories, as the whole storage directory. */
    let mountPoint: string;
    let t: TestApp;
    let reporter: TestUser;

    beforeAll(async () => {
      mountPoint = mkdtempSync(join(tmpdir(), 'full-attachments-'));
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,nr_inodes=64', 'tmpfs', mountPoint], {
        encoding: 'utf8',
      });
      if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
      t = await startTestApp({ UPLOAD_STORAGE_PATH: mountPoint });
      reporter = t.user(Role.END_USER);
    });

    afterAll(async () => {
      await t?.close();
      await unmount(mountPoint);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    function upload(ticketId: string, content: Buffer, filename: string) {
      return t
        .http()
        .post(`/api/v1/tickets/${ticketId}/attachments`)
        .set(...auth(reporter))
        .attach('file', content, filename);
    }

    /** Spec §2: 507 INSUFFICIENT_STORAGE in the one error body, whose request_id is the X-Request-ID. */
    function expectInsufficientStorage(res: { status: number; body: any; headers: Record<string, string> }): void {
      expect(res.status).toBe(507);
      expect(res.body).toEqual({
        detail: expect.any(String),
        error_code: 'INSUFFICIENT_STORAGE',
        request_id: res.headers['x-request-id'],
      });
      expect(res.body.detail).not.toMatch(new RegExp(`${mountPoint}|ENOSPC`));
    }

    const freeSpace = () => {
      const stats = statfsSync(mountPoint);
      return { bytes: stats.bavail * stats.bsize, inodes: stats.ffree };
    };

    it('answers 507 when the file outgrows the free space while it streams in, keeping no row, no partial file and no intent', async () => {
      const ticket = await createTicket(t, reporter);
      const filesBefore = filesUnder(mountPoint);
      const freeBefore = freeSpace();

      const res = await upload(ticket.id, logBytes(2 * MiB), 'too-big-for-the-disk.log');

      expectInsufficientStorage(res);
      expect(await attachmentRowCount(t, ticket.id)).toBe(0);
      expect(await storageIntents(t)).toEqual([]);
      expect(filesUnder(mountPoint)).toEqual(filesBefore);
      expect(freeSpace()).toEqual(freeBefore);
    });

    it('answers 507 when the file is staged but the store cannot take it, keeping no row, no file and no intent', async () => {
      const ticket = await createTicket(t, reporter);
      // Every inode but one taken: the staged file gets the last, the store's directory for the object none.
      const filler = join(mountPoint, 'filler');
      mkdirSync(filler);
      for (let i = 0; freeSpace().inodes > 1; i += 1) writeFileSync(join(filler, String(i)), '');
      const filesBefore = filesUnder(mountPoint);
      try {
        const res = await upload(ticket.id, logBytes(100_000), 'no-room-in-the-store.log');

        expectInsufficientStorage(res);
        expect(await attachmentRowCount(t, ticket.id)).toBe(0);
        expect(await storageIntents(t)).toEqual([]);
        expect(filesUnder(mountPoint)).toEqual(filesBefore);
        expect(freeSpace().inodes).toBe(1);
      } finally {
        rmSync(filler, { recursive: true, force: true });
      }
    });

    it('stores a file that fits once the failed uploads are gone, whole', async () => {
      const ticket = await createTicket(t, reporter);
      const content = logBytes(300_000);

      const created = await upload(ticket.id, content, 'fits.log').expect(201);

      expect(created.body.sha256).toBe(sha256(content));
      expect(await storageIntents(t)).toEqual([]);
      const download = await t
        .http()
        .get(`/api/v1/attachments/${created.body.id}`)
        .set(...auth(reporter))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(sha256(download.body as Buffer)).toBe(sha256(content));
    });
  },
);
