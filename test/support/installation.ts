import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@ticketing/contracts';
import { Client } from 'pg';
import type supertest from 'supertest';
import { mintAccessToken } from '../../apps/ticket-service/src/common/auth/access-token';
import { parseConfig } from '../../apps/ticket-service/src/config/app-config';
import { EmbeddedPostgres } from '../../apps/ticket-service/src/database/embedded-postgres';
import { type ServiceProcess, startServiceProcess } from './service-process';
import { TEST_JWT_SECRET, type TestUser } from './test-app';
import { createTestDatabase, type TestDatabase } from './test-database';

export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

const AUTH = parseConfig({ ENVIRONMENT: 'test', JWT_SECRET_KEY: TEST_JWT_SECRET }).auth;

/**
 * One installation of the built service, for the suites that kill it or run several side by side: a database of
 * its own that outlives the process (a new database on the PostgreSQL of TEST_DATABASE_URL, or an embedded one in
 * a data directory of its own), the attachment directory it is given, and the service as a child process
 * (support/service-process.ts) that can be killed and started again on the same data.
 */
export class Installation {
  private service: ServiceProcess | null = null;

  private constructor(
    readonly name: string,
    readonly storagePath: string,
    private readonly database: TestDatabase,
    /** The embedded database's directory (null on PostgreSQL). */
    private readonly pgliteDir: string | null,
  ) {}

  static async create(name: string, storagePath: string): Promise<Installation> {
    const database = await createTestDatabase();
    const pgliteDir = database.url === null ? mkdtempSync(join(tmpdir(), `installation-${name}-`)) : null;
    return new Installation(name, storagePath, database, pgliteDir);
  }

  /** Its database's URL on PostgreSQL; null for the embedded database, which only the running service serves. */
  get databaseUrl(): string | null {
    return this.database.url;
  }

  get http(): supertest.Agent {
    if (!this.service) throw new Error(`${this.name} is not running`);
    return this.service.http();
  }

  /** The service's origin (http://127.0.0.1:<port>), for requests supertest cannot send. */
  get url(): string {
    if (!this.service) throw new Error(`${this.name} is not running`);
    return this.service.url;
  }

  user(role: Role): TestUser {
    const id = crypto.randomUUID();
    return { id, role, token: mintAccessToken(AUTH, { role, sub: id }) };
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    if (this.service) throw new Error(`${this.name} is running already`);
    const databaseEnv = this.pgliteDir === null ? this.database.env : { PGLITE_DATA_DIR: join(this.pgliteDir, 'db') };
    this.service = await startServiceProcess(this.name, {
      ...databaseEnv,
      UPLOAD_STORAGE_PATH: this.storagePath,
      RATE_LIMIT_PER_MINUTE: '0',
      ...env,
    });
  }

  /** SIGTERM (a clean stop: periodic jobs finish their pass) or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.service?.stop(signal);
    this.service = null;
  }

  /**
   * SQL on the installation's database through a session of the test's own: on PostgreSQL at any time; the
   * embedded database only while the service is stopped, since the running service holds it.
   */
  async withDatabase<T>(work: (query: Query) => Promise<T>): Promise<T> {
    if (this.pgliteDir === null) return withClient(this.database.url!, work);
    if (this.service) throw new Error(`${this.name} holds its embedded database while it runs: stop it first`);
    const embedded = await EmbeddedPostgres.start({ dataDir: join(this.pgliteDir, 'db'), maxConnections: 1 });
    try {
      return await withClient(embedded.url, work);
    } finally {
      await embedded.stop();
    }
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    await this.database.drop();
    if (this.pgliteDir !== null) rmSync(this.pgliteDir, { recursive: true, force: true });
  }
}

async function withClient<T>(url: string, work: (query: Query) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(async (sql, params) => (await client.query(sql, params)).rows);
  } finally {
    await client.end();
  }
}
