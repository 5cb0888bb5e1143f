#!/usr/bin/env node
// Runs the generated Postman collection with newman against the built service (`npm run build` first):
// `npm run postman:newman`. The service runs on a free loopback port, on DATABASE_URL when set (an empty database:
// the collection creates what it uses), else on a fresh embedded PGlite; the token is minted with a random secret.
// Exits non-zero when any request or assertion fails.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCollection, DOCUMENT_PATH } from './postman.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'apps/ticket-service/dist/apps/ticket-service/src');
const newman = createRequire(import.meta.url)('newman');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitUntilReady(url, service, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exitCode !== null) throw new Error(`the service exited with code ${service.exitCode}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service was not ready within ${timeoutMs} ms`);
}

function runNewman(options) {
  return new Promise((resolve, reject) =>
    newman.run(options, (error, summary) => (error ? reject(error) : resolve(summary))),
  );
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'newman-ci-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    ENVIRONMENT: 'test',
    HOST: '127.0.0.1',
    SERVICE_PORT: String(port),
    LOG_LEVEL: 'warn',
    JWT_SECRET_KEY: randomBytes(32).toString('hex'),
    UPLOAD_STORAGE_PATH: join(scratch, 'uploads'),
    // Deliveries of the collection's webhook exist by the time it lists them.
    WEBHOOK_DISPATCH_INTERVAL_MS: '200',
    ...(process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL }
      : { PGLITE_DATA_DIR: join(scratch, 'pglite') }),
  };
  const service = spawn(process.execPath, [join(DIST, 'main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(baseUrl, service);
    const token = execFileSync(process.execPath, [join(DIST, 'cli/mint-token.js'), '--role', 'ADMIN'], { env })
      .toString()
      .trim();
    const collection = buildCollection(JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')));
    const summary = await runNewman({
      collection,
      envVar: [
        { key: 'baseUrl', value: baseUrl },
        { key: 'token', value: token },
      ],
      workingDir: ROOT,
      reporters: ['cli'],
    });
    const { requests, assertions } = summary.run.stats;
    const failed = summary.run.failures.length;
    process.stdout.write(
      `newman: ${requests.total - requests.failed}/${requests.total} requests answered, ` +
        `${assertions.total - assertions.failed}/${assertions.total} assertions passed on ` +
        `${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}\n`,
    );
    if (failed > 0) process.exitCode = 1;
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => (service.exitCode !== null ? resolve() : service.once('exit', resolve)));
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
