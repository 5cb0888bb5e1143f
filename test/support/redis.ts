import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { createClient } from 'redis';

/** The Redis the suites may use; every run writes under a prefix of its own (uniqueKeyPrefix). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let unavailable: string | null | undefined;

/**
 * Why the suites cannot use Redis, or null when it answers PING. Asked synchronously (once per test file, on first
 * use) because jest registers a test as run or skipped while the file loads.
 */
export function redisUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  const { hostname, port } = new URL(TEST_REDIS_URL);
  const ping = `
    const socket = require('node:net').connect(${Number(port) || 6379}, ${JSON.stringify(hostname)});
    socket.setTimeout(2000, () => { process.stdout.write('no answer'); socket.destroy(); });
    socket.on('connect', () => socket.write('PING\\r\\n'));
    socket.on('data', (reply) => { process.stdout.write(String(reply)); socket.destroy(); });
    socket.on('error', (error) => process.stdout.write(error.message));`;
  const run = spawnSync(process.execPath, ['-e', ping], { encoding: 'utf8', timeout: 5000 });
  const answer = (run.stdout ?? '').trim();
  unavailable = answer.startsWith('+PONG')
    ? null
    : `Redis does not answer at ${TEST_REDIS_URL} (${answer || 'no answer'}); set TEST_REDIS_URL to one that does`;
  return unavailable;
}

/** A key prefix no other run (or suite) uses. */
export function uniqueKeyPrefix(): string {
  return `ticket-service-test:${randomBytes(6).toString('hex')}:`;
}

/** A connected client of TEST_REDIS_URL, for assertions on what the service stored. */
export async function connectTestRedis() {
  const client = createClient({ url: TEST_REDIS_URL });
  client.on('error', () => undefined); // a failure shows up in the command that needed the connection
  await client.connect();
  return client;
}

export type TestRedis = Awaited<ReturnType<typeof connectTestRedis>>;

/** The keys under `prefix`. */
export async function keysUnder(redis: TestRedis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
  return keys.sort();
}

/** Removes what a run wrote under `prefix`. */
export async function deleteKeysUnder(redis: TestRedis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(keys);
}

/**
 * A TCP relay in front of TEST_REDIS_URL on a port of its own: stop() is a Redis outage for whoever connects
 * through it (listener closed, open connections cut), start() its end, without touching the shared server.
 */
export class RedisRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** The relayed connections, by their client side. */
  private readonly clients = new Set<Socket>();
  private port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** How many clients are connected through the relay. */
  get connections(): number {
    return this.clients.size;
  }

  /** Listens (again) on the relay's port; the first call picks a free one. */
  async start(): Promise<void> {
    const target = new URL(TEST_REDIS_URL);
    const server = createServer((client) => {
      this.clients.add(client);
      client.on('close', () => this.clients.delete(client));
      const upstream = connect(Number(target.port) || 6379, target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Closes the listener and cuts every relayed connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
