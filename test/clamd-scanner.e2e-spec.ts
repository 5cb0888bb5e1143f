import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { ClamdScanner } from '../apps/ticket-service/src/modules/attachments/scanning/clamd.scanner';
import { ScannerUnavailableError } from '../apps/ticket-service/src/modules/attachments/scanning/virus-scanner';

/**
 * ClamdScanner against a real clamd (Debian's clamav-daemon) that this suite starts on a free loopback port
 * with only the repo's test signatures (test/fixtures/clamav): no official database, no freshclam, no
 * network. Where clamd is not installed, only the fail-closed cases run, against local sockets.
 */

const SIGNATURES = join(__dirname, 'fixtures', 'clamav', 'ticket-service-test.ndb');
const MARKER = 'TICKET-SERVICE-TEST-MALWARE-MARKER';
/** Assembled at run time so that no file of the repo is itself the EICAR test file. */
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-TEST-', 'FILE!$H+H*'].join('');
const STREAM_MAX_BYTES = 8 * 1024 * 1024;
const MiB = 1024 * 1024;

function findClamd(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs
    .filter((dir) => dir.length > 0)
    .map((dir) => join(dir, 'clamd'))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

const CLAMD = findClamd();
if (!CLAMD) {
  console.warn(
    'clamd-scanner: clamd is not installed (Debian: apt-get install clamav-daemon), so only the fail-closed ' +
      'cases run; the verdicts of a real clamd are NOT checked.',
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** One request/reply exchange over a fresh connection; rejects when nothing listens. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.end(request);
  });
}

interface RunningClamd {
  port: number;
  process: ChildProcess;
  startMs: number;
  stop(): Promise<void>;
}

async function startClamd(binary: string): Promise<RunningClamd> {
  const dir = mkdtempSync(join(tmpdir(), 'clamd-test-'));
  const databases = join(dir, 'db');
  const scratch = join(dir, 'tmp');
  const config = join(dir, 'clamd.conf');
  // The database directory holds our signatures only, so clamd starts offline in well under a second.
  mkdirSync(databases);
  mkdirSync(scratch);
  copyFileSync(SIGNATURES, join(databases, 'ticket-service-test.ndb'));
  const port = await freePort();
  writeFileSync(
    config,
    [
      'Foreground yes',
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `DatabaseDirectory ${databases}`,
      `TemporaryDirectory ${scratch}`,
      `StreamMaxLength ${STREAM_MAX_BYTES}`,
      'LogVerbose no',
      'Bytecode no',
      '',
    ].join('\n'),
  );

  const started = performance.now();
  const child = spawn(binary, [`--config-file=${config}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let failedToStart = false;
  child.once('error', (error) => {
    failedToStart = true;
    output += error.message;
  });
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = started + 30_000;
  for (;;) {
    if (failedToStart || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`clamd exited while starting:\n${output}`);
    }
    const pong = await exchange(port, 'zPING\0').catch(() => '');
    if (pong === 'PONG\0') break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`clamd did not answer PING within 30 s:\n${output}`);
    }
    // Polls readiness; the verdicts below never depend on this interval.
    await delay(20);
  }
  const startMs = performance.now() - started;

  return {
    port,
    process: child,
    startMs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
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

if (CLAMD) {
  describe('ClamdScanner against a real clamd', () => {
    let clamd: RunningClamd;
    let scanner: ClamdScanner;

    beforeAll(async () => {
      clamd = await startClamd(CLAMD);
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
      expect((error as Error).message).toMatch(/size limit exceeded/);
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
}

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
