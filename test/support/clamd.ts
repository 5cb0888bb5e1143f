import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A real clamd (Debian's clamav-daemon) for the suites, started on a free loopback port with only the repo's
 * test signatures (test/fixtures/clamav): no official database, no freshclam, no network.
 */

const SIGNATURES = join(__dirname, '..', 'fixtures', 'clamav', 'ticket-service-test.ndb');
/** The custom signature of the test database matches this string anywhere in a file. */
export const MARKER = 'TICKET-SERVICE-TEST-MALWARE-MARKER';
/** Assembled at run time so that no file of the repo is itself the EICAR test file. */
export const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-', 'ANTIVIRUS-TEST-', 'FILE!$H+H*'].join('');
/** clamd's StreamMaxLength unless a suite asks for another: it refuses longer INSTREAM streams. */
export const DEFAULT_STREAM_MAX_BYTES = 8 * 1024 * 1024;
export const CLAMD_INSTALL_HINT = 'Debian: apt-get install clamav-daemon';

/** The clamd binary on PATH or in Debian's sbin directories; undefined when clamd is not installed. */
export function findClamd(): string | undefined {
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

/** A loopback port nothing listens on (at the time of asking). */
export async function freePort(): Promise<number> {
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

export interface RunningClamd {
  port: number;
  process: ChildProcess;
  startMs: number;
  /** Stops clamd (also a SIGSTOPped one) and removes its files; safe to call more than once. */
  stop(): Promise<void>;
}

export interface ClamdOptions {
  /** clamd's StreamMaxLength; keep it above the upload limit of an app that scans through it. */
  streamMaxBytes?: number;
}

/** Starts clamd with the test signatures and resolves once it answers PING. */
export async function startClamd(binary: string, options: ClamdOptions = {}): Promise<RunningClamd> {
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
      `StreamMaxLength ${options.streamMaxBytes ?? DEFAULT_STREAM_MAX_BYTES}`,
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
    // Polls readiness; the verdicts of the suites never depend on this interval.
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
