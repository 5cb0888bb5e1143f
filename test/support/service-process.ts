import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { freePort } from './clamd';
import { TEST_JWT_SECRET } from './test-app';

/** The built service (`npm run build`; `npm test` builds first). */
export const SERVICE_MAIN_JS = join(__dirname, '..', '..', 'apps/ticket-service/dist/apps/ticket-service/src/main.js');

/** Lines of output kept per process, for the message of a failed start. */
const KEPT_OUTPUT_LINES = 200;

export interface ServiceProcess {
  name: string;
  /** http://127.0.0.1:<port> */
  url: string;
  http(): supertest.Agent;
  /** What the process wrote to stdout and stderr (the last lines). */
  output(): string;
  /** Sends `signal` and waits for the process to end (SIGKILL after `timeoutMs`); resolves with its exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts the built service as a process of its own on a free loopback port, with the suites' JWT secret and the
 * given environment, and waits until /health/ready answers 200. Several of them on one PostgreSQL database are
 * several instances of the service (two Nest apps in one jest process would share static transaction state).
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<ServiceProcess> {
  if (!existsSync(SERVICE_MAIN_JS)) throw new Error(`${SERVICE_MAIN_JS} is missing: run npm run build first`);
  const port = await freePort();
  const uploads = mkdtempSync(join(tmpdir(), `ticket-uploads-${name}-`));
  const child: ChildProcess = spawn(process.execPath, [SERVICE_MAIN_JS], {
    env: {
      PATH: process.env.PATH ?? '',
      ENVIRONMENT: 'test',
      HOST: '127.0.0.1',
      SERVICE_PORT: String(port),
      LOG_LEVEL: 'warn',
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      UPLOAD_STORAGE_PATH: uploads,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - KEPT_OUTPUT_LINES));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
    rmSync(uploads, { recursive: true, force: true });
  });

  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    url,
    http: () => supertest.agent(url),
    output: () => lines.join('\n'),
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (!running) return exited;
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!running) throw new Error(`${name} exited before it was ready:\n${service.output()}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) return service;
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
