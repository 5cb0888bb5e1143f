import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type Role } from '@ticketing/contracts';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '../../apps/ticket-service/src/common/clock';
import { createApp } from '../../apps/ticket-service/src/app.setup';
import { mintAccessToken } from '../../apps/ticket-service/src/common/auth/access-token';
import { createRootLogger } from '../../apps/ticket-service/src/common/logging/logger';
import { type AppConfig, parseConfig } from '../../apps/ticket-service/src/config/app-config';
import { DATABASE_ENDPOINT } from '../../apps/ticket-service/src/database/database.module';
import type { DatabaseEndpoint } from '../../apps/ticket-service/src/database/database-endpoint';
import { loadOpenApiDocument } from './openapi-document';
import { ResponseContract } from './response-contract';
import { createTestDatabase, refuseConnections, type TestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'test-secret-with-at-least-32-characters!!';

export interface TestUser {
  id: string;
  role: Role;
  token: string;
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  database: TestDatabase;
  http: () => supertest.Agent;
  /** A user with a fresh id (or the given one) and a valid token. */
  user(role: Role, id?: string): TestUser;
  /** The app's DataSource, for assertions on stored rows. */
  dataSource: DataSource;
  /** Fixes the service's clock at `date` (null: real time again). */
  setNow(date: Date | null): void;
  /** Simulates a database outage (`down = true`) and its end. */
  setDatabaseDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The committed document, which every answer the shared client receives is checked against. */
let contract: ResponseContract | null = null;

/**
 * Issue 12: fails the request (and so the test that made it) when its answer is not what the committed OpenAPI
 * document describes (ResponseContract), whatever the test itself expects of it.
 */
function checkAgainstDocument(res: supertest.Response): void {
  contract ??= new ResponseContract(loadOpenApiDocument());
  const { method, path } = (res as unknown as { req: { method: string; path: string } }).req;
  const body = Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text ?? '', 'utf8');
  const problems = contract.exchangeViolations(method, path, { status: res.status, headers: res.headers, body });
  if (problems.length > 0) {
    const excerpt = body.subarray(0, 400).toString('utf8');
    throw new Error(
      `The answer does not match libs/contracts/openapi.json:\n${problems.map((problem) => `  ✗ ${problem}`).join('\n')}\n` +
        `  ${method} ${path} → ${res.status} ${excerpt}`,
    );
  }
}

const AGENT_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/** A supertest agent whose every request runs checkAgainstDocument before the test's own expectations. */
function contractCheckedAgent(server: Parameters<typeof supertest.agent>[0]): supertest.Agent {
  const agent = supertest.agent(server);
  for (const method of AGENT_METHODS) {
    const request: (url: string) => supertest.Test = agent[method].bind(agent);
    (agent as unknown as Record<string, (url: string) => supertest.Test>)[method] = (url) =>
      request(url).expect(checkAgainstDocument);
  }
  return agent;
}

/**
 * Boots the real application (same setup as main.ts) on a fresh database: the suite's own (`database`, e.g. on a
 * private server), or a new one from createTestDatabase. The app's close() drops it either way.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  database: TestDatabase | null = null,
): Promise<TestApp> {
  database ??= await createTestDatabase();
  const uploads = mkdtempSync(join(tmpdir(), 'ticket-uploads-'));
  const config = parseConfig({
    ENVIRONMENT: 'test',
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    UPLOAD_STORAGE_PATH: uploads,
    SLA_CHECK_INTERVAL_SECONDS: '3600',
    // Suites fire thousands of requests a minute from one address; the limiter has its own suite.
    RATE_LIMIT_PER_MINUTE: '0',
    ...database.env,
    ...env,
  });
  const app = await createApp(config, { logger: createRootLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  await app.init();
  const server = app.getHttpServer();
  const clock = app.get(Clock);
  const realNow = clock.now.bind(clock);
  return {
    app,
    config,
    database,
    http: () => contractCheckedAgent(server),
    dataSource: app.get(DataSource),
    setNow(date) {
      clock.now = date ? () => new Date(date.getTime()) : realNow;
    },
    user(role, id) {
      const sub = id ?? crypto.randomUUID();
      return { id: sub, role, token: mintAccessToken(config.auth, { role, sub }) };
    },
    async setDatabaseDown(down) {
      if (database.url) {
        await refuseConnections(database.url, down);
        return;
      }
      const endpoint = app.get<DatabaseEndpoint>(DATABASE_ENDPOINT);
      if (!down) throw new Error('the embedded database cannot be restarted within a suite');
      await endpoint.embedded?.stopServer();
    },
    async close() {
      await app.close();
      await database.drop();
      rmSync(uploads, { recursive: true, force: true });
    },
  };
}
