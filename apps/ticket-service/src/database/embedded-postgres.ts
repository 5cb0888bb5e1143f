import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** A directory, or `memory://` for a throw-away database (tests). */
  dataDir: string;
  /** Must cover every pool that connects at once (app, migrations, scripts). */
  maxConnections: number;
}

export class EmbeddedPostgresLockedError extends Error {}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port so the ordinary `pg` driver,
 * the same SQL and the same migrations work as in production.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    private readonly lockFile: string | null,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const inMemory = options.dataDir.startsWith('memory://');
    const lockFile = inMemory ? null : acquireLock(options.dataDir);
    try {
      const db = await PGlite.create(inMemory ? undefined : options.dataDir);
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections });
      await server.start();
      const { port } = new URL(`postgres://${server.getServerConn()}`);
      return new EmbeddedPostgres(db, server, `postgres://postgres@127.0.0.1:${port}/postgres`, lockFile);
    } catch (error) {
      if (lockFile) rmSync(lockFile, { force: true });
      throw error;
    }
  }

  /** Stops accepting connections without closing the database (used to simulate an outage). */
  async stopServer(): Promise<void> {
    await this.server.stop();
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    await this.db.close();
    if (this.lockFile) rmSync(this.lockFile, { force: true });
  }
}

/** PGlite has no cross-process lock: two processes on one data directory would corrupt it. */
function acquireLock(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, '..', `${dataDir.split('/').pop() ?? 'pglite'}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return lockFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new EmbeddedPostgresLockedError(`The embedded database in ${dataDir} is in use by process ${holder}`);
      }
      rmSync(lockFile, { force: true }); // left by a process that died
    }
  }
  throw new EmbeddedPostgresLockedError(`Could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
