import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, appendFileSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './clamd';
import type { TestDatabase } from './test-database';

/**
 * A PostgreSQL server of a suite's own, for the tests that stop, crash or break the database: `initdb` into a
 * temporary directory and `pg_ctl` on a free loopback port, with the binaries `pg_config --bindir` names (Debian:
 * /usr/lib/postgresql/<version>/bin). The shared server that the other suites use is never touched.
 *
 * PostgreSQL refuses to run as root; as root the binaries run as the `postgres` user (`runuser`), in a directory
 * that user owns.
 */

const run = promisify(execFile);

export const POSTGRES_INSTALL_HINT = 'Debian: apt-get install postgresql';

interface Toolchain {
  bindir: string;
  /** Prepended to every command: `runuser -u postgres --` as root, nothing otherwise. */
  asOwner: string[];
  /** uid/gid the data directory must belong to (null: the current user's). */
  owner: { uid: number; gid: number } | null;
}

/** The toolchain, or why there is none (the reason a skipped suite names). */
function findToolchain(): Toolchain | string {
  const bindir = postgresBindir();
  if (bindir === undefined) return `initdb and pg_ctl not found (${POSTGRES_INSTALL_HINT})`;
  if (process.getuid?.() !== 0) return { bindir, asOwner: [], owner: null };
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) return 'running as root and there is no `postgres` user to run initdb as';
  const runuser = executableOnPath('runuser', ['/usr/sbin', '/sbin']);
  if (runuser === undefined) return 'running as root and runuser (util-linux) is not installed';
  return { bindir, asOwner: [runuser, '-u', 'postgres', '--'], owner: { uid, gid } };
}

/** `name` in a directory of PATH or of `extraDirs`, or undefined. */
function executableOnPath(name: string, extraDirs: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function postgresBindir(): string | undefined {
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidate = pgConfig.status === 0 ? pgConfig.stdout.trim() : undefined;
  if (candidate === undefined) return undefined;
  return ['initdb', 'pg_ctl', 'postgres'].every((binary) => isExecutable(join(candidate, binary)))
    ? candidate
    : undefined;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const id = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return id.status === 0 ? Number(id.stdout.trim()) : undefined;
}

const TOOLCHAIN = findToolchain();

/** Why no private server can be started here, or null when it can. */
export const PRIVATE_POSTGRES_UNAVAILABLE: string | null = typeof TOOLCHAIN === 'string' ? TOOLCHAIN : null;

/** Every server still running when the test process exits is stopped then (a crashed suite leaves none). */
const running = new Set<PrivatePostgres>();
process.once('exit', () => {
  for (const server of running) server.destroySync();
});

export class PrivatePostgres {
  private constructor(
    private readonly toolchain: Toolchain,
    /** The temporary directory: data directory, socket and server log. */
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb into a fresh temporary directory and start the server on a free port; resolves once it accepts connections. */
  static async start(): Promise<PrivatePostgres> {
    if (typeof TOOLCHAIN === 'string') throw new Error(`no private PostgreSQL: ${TOOLCHAIN}`);
    const dir = mkdtempSync(join(tmpdir(), 'private-postgres-'));
    if (TOOLCHAIN.owner) chownSync(dir, TOOLCHAIN.owner.uid, TOOLCHAIN.owner.gid);
    const server = new PrivatePostgres(TOOLCHAIN, dir, await freePort());
    running.add(server);
    try {
      await server.pg('initdb', ['-D', server.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      // Loopback only, the socket in our own directory. No fsync: nothing here must survive the machine, but a
      // crash of the server must not lose an acknowledged commit (synchronous_commit stays on: the WAL reaches the
      // operating system before the client hears of the commit).
      appendFileSync(
        join(server.dataDir, 'postgresql.conf'),
        [
          `port = ${server.port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          'fsync = off',
          'full_page_writes = off',
          '',
        ].join('\n'),
      );
      await server.startServer();
      return server;
    } catch (error) {
      await server.destroy();
      throw error;
    }
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the (stopped) server again on the same port and data; resolves once it accepts connections. */
  async startServer(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** A clean stop: sessions are terminated (57P01), then the server shuts down. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /** A crash: every process quits at once, without a checkpoint; the next start recovers from the WAL. */
  async kill(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  /** A fresh database on this server, in the shape the test app takes (DATABASE_URL). */
  async createDatabase(): Promise<TestDatabase> {
    const name = `fault_test_${randomBytes(6).toString('hex')}`;
    await this.withClient((client) => client.query(`CREATE DATABASE ${name}`));
    const url = this.url(name);
    return {
      kind: 'postgres',
      env: { DATABASE_URL: url },
      url,
      // The server may be down at the end of a failed test; the whole directory goes with destroy() anyway.
      drop: () =>
        this.withClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
          .then(() => undefined)
          .catch(() => undefined),
    };
  }

  /** Runs `work` with a session of its own on `database`. */
  async withClient<T>(work: (client: Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** The server's log, for the message of a failed test. */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server if it runs (crash stop: nothing of it is kept) and removes the directory. */
  async destroy(): Promise<void> {
    running.delete(this);
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** destroy() for the process's `exit` event, where nothing asynchronous runs any more. */
  destroySync(): void {
    running.delete(this);
    const [command, ...args] = [...this.toolchain.asOwner, join(this.toolchain.bindir, 'pg_ctl')];
    spawnSync(command, [...args, '-D', this.dataDir, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(binary: 'initdb' | 'pg_ctl', args: string[]): Promise<void> {
    const [command, ...prefix] = [...this.toolchain.asOwner, join(this.toolchain.bindir, binary)];
    try {
      await run(command, [...prefix, ...args], { timeout: 120_000 });
    } catch (error) {
      const failure = error as Error & { stderr?: string; stdout?: string };
      throw new Error(
        `${binary} ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}\n${this.log()}`,
        { cause: error },
      );
    }
  }
}
