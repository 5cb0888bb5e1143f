import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Role } from '@ticketing/contracts';
import { ABANDONED_UPLOAD_AGE_MS, OrphanSweeper } from '../apps/ticket-service/src/modules/attachments/orphan-sweeper';
import {
  attachmentRowCount,
  eventually,
  filesUnder,
  logBytes,
  MiB,
  PNG,
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
 * Issue 11, point 3: attachments never lose data. The orphan sweeper removes only what its own installation
 * recorded before writing (attachment_storage_intents), so installations sharing one storage directory, and
 * files nobody recorded, are safe from each other's sweeps.
 */

const MONTH_MS = 30 * 24 * 3_600_000;

describe('attachments: two installations sharing one storage directory (issue 11.3)', () => {
  let shared: string;
  let a: Installation;
  let b: Installation;

  beforeAll(async () => {
    shared = mkdtempSync(join(tmpdir(), 'shared-attachments-'));
    a = await Installation.create('a', shared);
    b = await Installation.create('b', shared);
    await a.start();
    await b.start();
  }, 180_000);

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    if (shared) rmSync(shared, { recursive: true, force: true });
  });

  interface Stored {
    id: string;
    content: Buffer;
    /** The stored object's path under the shared directory. */
    object: string;
  }

  async function newTicket(installation: Installation, reporter: TestUser): Promise<string> {
    const res = await installation.http
      .post('/api/v1/tickets')
      .set(...auth(reporter))
      .send(ticketBody())
      .expect(201);
    return res.body.id as string;
  }

  /** An upload through the API; its object is the one file it adds to the shared directory. */
  async function uploadThrough(
    installation: Installation,
    reporter: TestUser,
    content: Buffer,
    filename: string,
  ): Promise<Stored> {
    const before = new Set(filesUnder(shared));
    const ticketId = await newTicket(installation, reporter);
    const res = await installation.http
      .post(`/api/v1/tickets/${ticketId}/attachments`)
      .set(...auth(reporter))
      .attach('file', content, filename)
      .expect(201);
    const added = filesUnder(shared).filter((file) => !before.has(file));
    expect(added).toEqual([expect.stringMatching(/^attachments\//)]);
    return { id: res.body.id as string, content, object: added[0] };
  }

  /** Kills the service while an upload is streaming in; returns the staged file it leaves. */
  async function crashMidUpload(installation: Installation, reporter: TestUser): Promise<string> {
    const ticketId = await newTicket(installation, reporter);
    const before = new Set(filesUnder(shared));
    const upload = startStreamedUpload(
      installation.url,
      reporter.token,
      ticketId,
      'crash.log',
      logBytes(2 * MiB),
      MiB / 2,
    );
    upload.response.catch(() => undefined); // the connection dies with the service
    let added: string[] = [];
    await until(() => (added = filesUnder(shared).filter((file) => !before.has(file))).length > 0, 'the staged file');
    await installation.stop('SIGKILL');
    upload.abort();
    expect(added).toEqual([expect.stringMatching(/^incoming\//)]);
    return added[0];
  }

  /** The service sweeps when it starts; a clean stop lets that pass finish. */
  async function sweepByRestart(installation: Installation, leftover: string): Promise<void> {
    await installation.start();
    await until(() => !existsSync(join(shared, leftover)), `${installation.name} to sweep ${leftover}`);
    await installation.stop('SIGTERM');
  }

  const intentsIn = (query: Query) =>
    query<{ storage_key: string; kind: string }>('SELECT storage_key, kind FROM attachment_storage_intents');

  it(
    'keeps every file of both when each sweeps a month later, sweeps a crash only where it happened, and never ' +
      'touches unknown files',
    async () => {
      const reporterA = a.user(Role.END_USER);
      const reporterB = b.user(Role.END_USER);
      const storedA = await uploadThrough(a, reporterA, logBytes(300_000), 'a.log');
      const storedB = await uploadThrough(b, reporterB, Buffer.concat([PNG, Buffer.from('from b')]), 'b.png');
      const crashA = await crashMidUpload(a, reporterA);
      const crashB = await crashMidUpload(b, reporterB);
      // Files neither installation wrote: another program's, an older release's orphans, a stale staged file.
      const unknown = [`attachments/ee/${randomUUID()}`, `incoming/${randomUUID()}`, 'exports/report.csv'];
      for (const file of unknown) {
        mkdirSync(dirname(join(shared, file)), { recursive: true });
        writeFileSync(join(shared, file), `not the service's: ${file}`);
      }

      // Each crash left exactly what an intent of its own installation names: the staged file of its key.
      for (const [installation, crash] of [
        [a, crashA],
        [b, crashB],
      ] as const) {
        await installation.withDatabase(async (query) => {
          expect(await intentsIn(query)).toEqual([
            { storage_key: expect.stringMatching(new RegExp(`/${basename(crash)}$`)), kind: 'UPLOAD' },
          ]);
          // A month passes: every intent is far older than the sweeper's age bound.
          await query(`UPDATE attachment_storage_intents SET created_at = created_at - interval '30 days'`);
        });
      }
      // ... and every file too (the old sweeper removed any file older than an hour its database did not know).
      const monthAgo = new Date(Date.now() - MONTH_MS);
      for (const file of filesUnder(shared)) utimesSync(join(shared, file), monthAgo, monthAgo);
      const everyFile = [storedA.object, storedB.object, ...unknown];

      await sweepByRestart(a, crashA);
      expect(filesUnder(shared)).toEqual([...everyFile, crashB].sort());

      await sweepByRestart(b, crashB);
      expect(filesUnder(shared)).toEqual([...everyFile].sort());

      for (const [installation, stored] of [
        [a, storedA],
        [b, storedB],
      ] as const) {
        await installation.withDatabase(async (query) => {
          expect(await intentsIn(query)).toEqual([]);
          expect(await query('SELECT id, sha256, deleted_at FROM attachments')).toEqual([
            { id: stored.id, sha256: sha256(stored.content), deleted_at: null },
          ]);
        });
        await installation.start();
        const reporter = installation === a ? reporterA : reporterB;
        const download = await fetch(`${installation.url}/api/v1/attachments/${stored.id}`, {
          headers: { Authorization: `Bearer ${reporter.token}` },
        });
        expect(download.status).toBe(200);
        expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(stored.content));
      }
    },
    300_000,
  );
});

describe('attachments: the intent an upload records (issue 11.3)', () => {
  let t: TestApp;
  let storage: string;
  let baseUrl: string;
  let reporter: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ UPLOAD_MAX_FILE_SIZE: String(MiB) });
    storage = t.config.storage.path;
    const server = t.app.getHttpServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    reporter = t.user(Role.END_USER);
  });

  afterAll(async () => {
    await t.close();
  });

  it('is recorded before the first byte is staged, and gone in the transaction that commits the row', async () => {
    const ticket = await createTicket(t, reporter);
    const content = logBytes(200_000);
    const upload = startStreamedUpload(baseUrl, reporter.token, ticket.id, 'first.log', content, 1);
    await until(() => filesUnder(join(storage, 'incoming')).length === 1, 'the staged file');
    const [staged] = filesUnder(join(storage, 'incoming'));
    const intents = await storageIntents(t);
    expect(intents).toEqual([
      { storage_key: expect.stringMatching(new RegExp(`^attachments/[0-9a-f]{2}/${staged}$`)), kind: 'UPLOAD' },
    ]);

    upload.finish();
    const res = await upload.response;

    expect(res.status).toBe(201);
    expect(await storageIntents(t)).toEqual([]);
    const [row] = await t.dataSource.query<{ storage_key: string }[]>(
      'SELECT storage_key FROM attachments WHERE id = $1',
      [res.body.id],
    );
    expect(row.storage_key).toBe(intents[0].storage_key);
    expect(filesUnder(storage)).toEqual([row.storage_key]);
  });

  itOnPostgres('the test holds the ticket row locked from a second session, which PGlite does not have')(
    'refuses to commit an upload the sweeper took for abandoned, keeping no row and no bytes',
    async () => {
      const ticket = await createTicket(t, reporter);
      const filesBefore = filesUnder(storage);
      const lock = t.dataSource.createQueryRunner();
      await lock.connect();
      try {
        // The upload stores its bytes, then its commit waits for the ticket's row.
        await lock.startTransaction();
        await lock.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE', [ticket.id]);
        const content = logBytes(100_000);
        const upload = startStreamedUpload(baseUrl, reporter.token, ticket.id, 'slow.log', content, content.length);
        upload.finish();
        let key = '';
        await eventually(async () => {
          key = (await storageIntents(t))[0]?.storage_key ?? '';
          return filesUnder(storage).includes(key);
        }, 'the stored object');

        // Meanwhile, the sweeper takes it for abandoned (as if it had outlived the age bound) and removes it.
        const later = new Date(Date.now() + ABANDONED_UPLOAD_AGE_MS + 60_000);
        await expect(t.app.get(OrphanSweeper).sweep(later)).resolves.toBe(1);
        await lock.rollbackTransaction();

        const res = await upload.response;
        expect(res.status).toBe(507);
        expect(res.body.error_code).toBe('INSUFFICIENT_STORAGE');
        expect(await attachmentRowCount(t, ticket.id)).toBe(0);
        expect(await storageIntents(t)).toEqual([]);
        expect(filesUnder(storage)).toEqual(filesBefore);
      } finally {
        await lock.release();
      }
    },
  );

  it('leaves no intent and no file behind a refusal, a client that goes away, or a deletion', async () => {
    const ticket = await createTicket(t, reporter);
    const filesBefore = filesUnder(storage);
    const send = (content: Buffer, filename: string) =>
      t
        .http()
        .post(`/api/v1/tickets/${ticket.id}/attachments`)
        .set(...auth(reporter))
        .attach('file', content, filename);

    expect((await send(PNG, 'invoice.pdf').expect(415)).body.error_code).toBe('UNSUPPORTED_FILE_TYPE');
    expect((await send(logBytes(MiB + 1), 'big.log').expect(413)).body.error_code).toBe('PAYLOAD_TOO_LARGE');
    const gone = startStreamedUpload(baseUrl, reporter.token, ticket.id, 'gone.log', logBytes(MiB), MiB / 2);
    gone.response.catch(() => undefined);
    await until(() => filesUnder(join(storage, 'incoming')).length === 1, 'the staged file');
    gone.abort();
    await until(() => filesUnder(join(storage, 'incoming')).length === 0, 'the staged file to go');
    const kept = await send(Buffer.from('to be deleted'), 'deleted.txt').expect(201);
    await t
      .http()
      .delete(`/api/v1/attachments/${kept.body.id}`)
      .set(...auth(reporter))
      .expect(204);

    // The aborted upload's clean-up ends after its staged file is gone: its intent goes right after.
    await eventually(async () => (await storageIntents(t)).length === 0, 'the aborted upload’s intent to go');
    expect(filesUnder(storage)).toEqual(filesBefore);
    expect(await attachmentRowCount(t, ticket.id)).toBe(1); // the deleted one, soft-deleted
  });
});
