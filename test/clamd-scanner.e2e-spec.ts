import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ClamdScanner } from '../apps/ticket-service/src/modules/attachments/scanning/clamd.scanner';
import { ScannerUnavailableError } from '../apps/ticket-service/src/modules/attachments/scanning/virus-scanner';
import { CLAMD_INSTALL_HINT, EICAR, freePort, MARKER, type RunningClamd, startClamd } from './support/clamd';
import { CLAMD_INSTALLED, clamdBinary, describeWithClamd } from './support/conditions';

/**
 * ClamdScanner against a real clamd (Debian's clamav-daemon) that this suite starts on a free loopback port
 * with only the repo's test signatures (test/fixtures/clamav): no official database, no freshclam, no
 * network. Where clamd is not installed, the real-clamd tests are registered as skipped (their names say why) and
 * only the fail-closed cases run, against local sockets.
 */

const STREAM_MAX_BYTES = 8 * 1024 * 1024;
const MiB = 1024 * 1024;

if (!CLAMD_INSTALLED) {
  console.warn(
    `clamd-scanner: clamd is not installed (${CLAMD_INSTALL_HINT}), so the real-clamd tests are skipped and only ` +
      'the fail-closed cases run; the verdicts of a real clamd are NOT checked.',
  );
}

/** `bytes` cut into fixed-size chunks, like a file read from disk. */
function chunks(bytes: Buffer, chunkSize = 64 * 1024): Buffer[] {
  const result: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    result.push(bytes.subarray(offset, offset + chunkSize));
  }
  return result;
}

const chunked = (bytes: Buffer): Readable => Readable.from(chunks(bytes));

const LINE = 'Ticket #42: the deployment log shows nothing unusual.\n';
const cleanText = (size: number): Buffer => Buffer.from(LINE.repeat(Math.ceil(size / LINE.length)).slice(0, size));

describeWithClamd('ClamdScanner against a real clamd', () => {
  let clamd: RunningClamd;
  let scanner: ClamdScanner;

  beforeAll(async () => {
    clamd = await startClamd(clamdBinary(), { streamMaxBytes: STREAM_MAX_BYTES });
    console.info(`clamd ready after ${clamd.startMs.toFixed(0)} ms (port ${clamd.port})`);
    scanner = new ClamdScanner({ host: '127.0.0.1', port: clamd.port, timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await clamd?.stop();
  });

  it('finds clean bytes clean', async () => {
    await expect(scanner.scan(chunked(Buffer.concat([cleanText(MiB), randomBytes(2 * MiB)])))).resolves.toEqual({
      infected: false,
    });
  });

  it('answers clean for an empty file, which clamd scans as such', async () => {
    await expect(scanner.scan(Readable.from([]))).resolves.toEqual({ infected: false });
  });

  it('reports the EICAR test file with its signature', async () => {
    await expect(scanner.scan(Readable.from([Buffer.from(EICAR, 'latin1')]))).resolves.toEqual({
      infected: true,
      signature: 'Ticket-Service-Test.Eicar.UNOFFICIAL',
    });
  });

  it('does not let an empty chunk end the stream early', async () => {
    const stream = Readable.from([Buffer.from('a harmless start, '), Buffer.alloc(0), Buffer.from(EICAR, 'latin1')]);
    await expect(scanner.scan(stream)).resolves.toEqual({
      infected: true,
      signature: 'Ticket-Service-Test.Eicar.UNOFFICIAL',
    });
  });

  it('finds the marker inside a bigger file, even split across two chunks', async () => {
    const offset = 3 * MiB + 10;
    const file = Buffer.concat([cleanText(offset), Buffer.from(MARKER, 'latin1'), randomBytes(MiB)]);
    const cut = offset + 10;
    const stream = Readable.from([...chunks(file.subarray(0, cut)), ...chunks(file.subarray(cut))]);
    await expect(scanner.scan(stream)).resolves.toEqual({
      infected: true,
      signature: 'Ticket-Service-Test.Marker.UNOFFICIAL',
    });
  });

  it('gives each of several concurrent scans its own verdict', async () => {
    const verdicts = await Promise.all([
      scanner.scan(chunked(cleanText(512 * 1024))),
      scanner.scan(chunked(Buffer.concat([randomBytes(300_000), Buffer.from(EICAR, 'latin1')]))),
      scanner.scan(chunked(Buffer.concat([cleanText(700_000), Buffer.from(MARKER)]))),
      scanner.scan(chunked(randomBytes(MiB))),
    ]);
    expect(verdicts).toEqual([
      { infected: false },
      { infected: true, signature: 'Ticket-Service-Test.Eicar.UNOFFICIAL' },
      { infected: true, signature: 'Ticket-Service-Test.Marker.UNOFFICIAL' },
      { infected: false },
    ]);
  });

  it('fails closed when clamd refuses a stream over its size limit', async () => {
    const error = await scanner.scan(chunked(cleanText(STREAM_MAX_BYTES + MiB))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScannerUnavailableError);
    // clamd replies and hangs up while data is still arriving. The reset that its close causes can reach the
    // client before the reply is read, and then discards it: the refusal is then a hang-up mid-stream.
    expect((error as Error).message).toMatch(
      /size limit exceeded|closed the connection without a reply: .*(EPIPE|ECONNRESET)/,
    );
  });

  it('fails closed when clamd does not reply in time', async () => {
    const quick = new ClamdScanner({ host: '127.0.0.1', port: clamd.port, timeoutMs: 300 });
    // A stopped process: the kernel still accepts the connection, but nobody answers.
    clamd.process.kill('SIGSTOP');
    try {
      const error = await quick.scan(Readable.from([Buffer.from('hello')])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScannerUnavailableError);
      expect((error as Error).message).toMatch(/did not answer within 300 ms/);
    } finally {
      clamd.process.kill('SIGCONT');
    }
    await expect(scanner.scan(Readable.from([Buffer.from('hello again')]))).resolves.toEqual({ infected: false });
  });

  it('fails closed once clamd is stopped', async () => {
    await clamd.stop();
    const error = await scanner.scan(Readable.from([Buffer.from(EICAR, 'latin1')])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScannerUnavailableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('ClamdScanner fails closed', () => {
  const servers: Server[] = [];

  /** A local stand-in for clamd, to stage the protocol failures that a healthy clamd never produces. */
  async function fakeClamd(onConnection: (socket: Socket) => void): Promise<ClamdScanner> {
    const server = createServer(onConnection);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return new ClamdScanner({ host: '127.0.0.1', port: address.port, timeoutMs: 300 });
  }

  /** Reads the whole INSTREAM request (up to the zero-length chunk) before replying. */
  function afterStream(socket: Socket, then: () => void): void {
    let buffered = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      if (buffered.subarray(-4).equals(Buffer.alloc(4))) then();
    });
    socket.on('error', () => undefined);
  }

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  it('rejects with ScannerUnavailableError when nothing listens', async () => {
    const scanner = new ClamdScanner({ host: '127.0.0.1', port: await freePort(), timeoutMs: 1_000 });
    await expect(scanner.scan(Readable.from([Buffer.from('bytes')]))).rejects.toBeInstanceOf(ScannerUnavailableError);
  });

  it('rejects when the scanner never replies', async () => {
    const scanner = await fakeClamd((socket) => afterStream(socket, () => undefined));
    const error = await scanner.scan(Readable.from([Buffer.from('bytes')])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScannerUnavailableError);
    expect((error as Error).message).toMatch(/did not answer within 300 ms/);
  });

  it('rejects an empty reply (connection closed without an answer)', async () => {
    const scanner = await fakeClamd((socket) => afterStream(socket, () => socket.end()));
    await expect(scanner.scan(Readable.from([Buffer.from('bytes')]))).rejects.toBeInstanceOf(ScannerUnavailableError);
  });

  it('rejects a reply cut before its terminator, even one that starts like OK', async () => {
    const scanner = await fakeClamd((socket) => afterStream(socket, () => socket.end('stream: O')));
    await expect(scanner.scan(Readable.from([Buffer.from('bytes')]))).rejects.toBeInstanceOf(ScannerUnavailableError);
  });

  it('rejects a malformed reply', async () => {
    const scanner = await fakeClamd((socket) => afterStream(socket, () => socket.end('UNKNOWN COMMAND\0')));
    await expect(scanner.scan(Readable.from([Buffer.from('bytes')]))).rejects.toBeInstanceOf(ScannerUnavailableError);
  });

  it('rejects an ERROR reply sent before the stream ends', async () => {
    const scanner = await fakeClamd((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end('INSTREAM size limit exceeded. ERROR\0'));
    });
    const error = await scanner.scan(chunked(randomBytes(4 * MiB))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScannerUnavailableError);
  });
});
