import { Role } from '@ticketing/contracts';
import type supertest from 'supertest';
import { MiB, filesUnder } from './support/attachment-files';
import { auth, createTicket } from './support/factories';
import { CLAMD_INSTALL_HINT, EICAR, freePort, MARKER, type RunningClamd, startClamd } from './support/clamd';
import { CLAMD_INSTALLED, clamdBinary, describeWithClamd } from './support/conditions';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

/**
 * Uploads with VIRUS_SCAN_ENABLED=true through HTTP, scanned by a real clamd that the suite starts with the
 * repo's test signatures (EICAR and a marker string). Where clamd is not installed, the real-clamd tests are
 * registered as skipped (their names say why) and only the fail-closed case runs: a scanner that does not answer.
 */

/** clamd refuses streams above its StreamMaxLength, so the app's limit stays below it (see the README). */
const CLAMD_STREAM_MAX_BYTES = 8 * MiB;
const UPLOAD_LIMIT = 6 * MiB;

if (!CLAMD_INSTALLED) {
  console.warn(
    `attachments-scan: clamd is not installed (${CLAMD_INSTALL_HINT}), so the real-clamd tests are skipped and ` +
      'only the fail-closed case runs (scanner unreachable → 503); clean, EICAR and marker verdicts through the ' +
      'API are NOT checked.',
  );
}

const LINE = 'Ticket #42: the deployment log shows nothing unusual.\n';
const cleanText = (size: number): Buffer => Buffer.from(LINE.repeat(Math.ceil(size / LINE.length)).slice(0, size));

function upload(t: TestApp, user: TestUser, ticketId: string, content: Buffer, filename: string): supertest.Test {
  return t
    .http()
    .post(`/api/v1/tickets/${ticketId}/attachments`)
    .set(...auth(user))
    .attach('file', content, filename);
}

/** Everything under the app's storage directory: the store of the local driver and the staging area. */
const storedFiles = (t: TestApp): string[] => filesUnder(t.config.storage.path);

async function rowCount(t: TestApp, ticketId: string): Promise<number> {
  const [row] = await t.dataSource.query<{ n: number }[]>(
    'SELECT count(*)::int AS n FROM attachments WHERE ticket_id = $1',
    [ticketId],
  );
  return row.n;
}

/** The spec's fail-closed answer: 503 SCAN_UNAVAILABLE with a Retry-After in seconds. */
function expectScanUnavailable(res: supertest.Response): void {
  expect(res.status).toBe(503);
  expect(res.body.error_code).toBe('SCAN_UNAVAILABLE');
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
}

describeWithClamd('attachments scanned by a real clamd', () => {
  let clamd: RunningClamd;
  let t: TestApp;
  let reporter: TestUser;

  beforeAll(async () => {
    clamd = await startClamd(clamdBinary(), { streamMaxBytes: CLAMD_STREAM_MAX_BYTES });
    t = await startTestApp({
      VIRUS_SCAN_ENABLED: 'true',
      CLAMAV_HOST: '127.0.0.1',
      CLAMAV_PORT: String(clamd.port),
      UPLOAD_MAX_FILE_SIZE: String(UPLOAD_LIMIT),
    });
    reporter = t.user(Role.END_USER);
  });

  afterAll(async () => {
    await t?.close();
    await clamd?.stop();
  });

  it('keeps a clean upload (201), up to the size limit', async () => {
    const ticket = await createTicket(t, reporter);
    const small = await upload(t, reporter, ticket.id, cleanText(2000), 'notes.txt').expect(201);
    const atLimit = await upload(t, reporter, ticket.id, cleanText(UPLOAD_LIMIT), 'deploy.log').expect(201);
    expect(atLimit.body.size_bytes).toBe(UPLOAD_LIMIT);
    expect(await rowCount(t, ticket.id)).toBe(2);
    await t
      .http()
      .get(`/api/v1/attachments/${small.body.id}`)
      .set(...auth(reporter))
      .expect(200);
  });

  it('refuses the EICAR test file named .txt with 422 FILE_INFECTED, storing no file and no row', async () => {
    const ticket = await createTicket(t, reporter);
    const before = storedFiles(t);
    const res = await upload(t, reporter, ticket.id, Buffer.from(EICAR, 'latin1'), 'harmless.txt').expect(422);
    expect(res.body.error_code).toBe('FILE_INFECTED');
    expect(storedFiles(t)).toEqual(before);
    expect(await rowCount(t, ticket.id)).toBe(0);
  });

  it('refuses a bigger .log with the marker deep inside with 422, storing nothing', async () => {
    const ticket = await createTicket(t, reporter);
    const before = storedFiles(t);
    // The marker straddles the 3 MiB offset, a boundary between two 64 KiB reads of the staged file.
    const offset = 3 * MiB - 10;
    const log = Buffer.concat([cleanText(offset), Buffer.from(MARKER, 'latin1'), cleanText(2 * MiB)]);
    const res = await upload(t, reporter, ticket.id, log, 'worker-7.log').expect(422);
    expect(res.body.error_code).toBe('FILE_INFECTED');
    expect(storedFiles(t)).toEqual(before);
    expect(await rowCount(t, ticket.id)).toBe(0);
  });

  it('fails closed once clamd is stopped: 503 SCAN_UNAVAILABLE with Retry-After, storing nothing', async () => {
    const ticket = await createTicket(t, reporter);
    await clamd.stop();
    const before = storedFiles(t);
    expectScanUnavailable(await upload(t, reporter, ticket.id, cleanText(2000), 'clean.txt'));
    expectScanUnavailable(await upload(t, reporter, ticket.id, Buffer.from(EICAR, 'latin1'), 'harmless.txt'));
    expect(storedFiles(t)).toEqual(before);
    expect(await rowCount(t, ticket.id)).toBe(0);
  });
});

describe('attachments with scanning on and no scanner answering', () => {
  let t: TestApp;
  let reporter: TestUser;

  beforeAll(async () => {
    t = await startTestApp({
      VIRUS_SCAN_ENABLED: 'true',
      CLAMAV_HOST: '127.0.0.1',
      CLAMAV_PORT: String(await freePort()),
    });
    reporter = t.user(Role.END_USER);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('fails closed: 503 SCAN_UNAVAILABLE with Retry-After, storing no file and no row', async () => {
    const ticket = await createTicket(t, reporter);
    const before = storedFiles(t);
    expectScanUnavailable(await upload(t, reporter, ticket.id, cleanText(2000), 'clean.txt'));
    expect(storedFiles(t)).toEqual(before);
    expect(await rowCount(t, ticket.id)).toBe(0);
  });
});
