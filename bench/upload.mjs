// Attachment upload throughput and the service's memory while it receives large files (npm run build first).
//   node bench/upload.mjs          embedded PGlite;   BENCH_DATABASE_URL=postgres://… for PostgreSQL
// Starts the built service as a child process, streams BENCH_UPLOADS (3) files of BENCH_FILE_MIB (50) MiB
// as multipart (never held in memory by the client either) and samples the service's RSS every 20 ms.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? 50);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 3);
const PORT = 18_003;
const SECRET = 'benchmark-secret-with-at-least-32-characters';
const token = jwt.sign({ sub: randomUUID(), role: 'ADMIN', type: 'access' }, SECRET, { expiresIn: '1h' });

let env = { PGLITE_DATA_DIR: 'memory://' };
let drop = async () => {};
if (process.env.BENCH_DATABASE_URL) {
  const name = `ticket_bench_upload_${Date.now()}`;
  const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  env = { DATABASE_URL: url.toString() };
  drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}

const service = spawn(process.execPath, ['apps/ticket-service/dist/apps/ticket-service/src/main.js'], {
  env: {
    ...process.env,
    ...env,
    ENVIRONMENT: 'test',
    RATE_LIMIT_PER_MINUTE: '0',
    SERVICE_PORT: String(PORT),
    HOST: '127.0.0.1',
    JWT_SECRET_KEY: SECRET,
    LOG_LEVEL: 'error',
    UPLOAD_STORAGE_PATH: `/tmp/ticket-bench-uploads-${Date.now()}`,
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))[1]) / 1024;

function upload(ticketId) {
  const boundary = `----bench${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.log"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(1024 * 1024, 'log line: all systems nominal\n');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: PORT,
        method: 'POST',
        path: `/api/v1/tickets/${ticketId}/attachments`,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + FILE_MIB * chunk.length + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`)),
        );
      },
    );
    req.on('error', reject);
    let sent = 0;
    req.write(head);
    const pump = () => {
      while (sent < FILE_MIB) {
        sent++;
        if (!req.write(chunk)) return req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

try {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health/ready`)).ok) break;
    } catch {}
    await sleep(100);
  }
  const created = await fetch(`http://127.0.0.1:${PORT}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Upload benchmark',
      description: 'Large log files for the benchmark.',
      category: 'PROBLEM',
    }),
  });
  const ticket = await created.json();
  await sleep(500);
  const baseline = rssMiB();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 20);
  const rows = [];
  for (let i = 0; i < UPLOADS; i++) {
    const started = performance.now();
    const attachment = await upload(ticket.id);
    const seconds = (performance.now() - started) / 1000;
    rows.push(`| ${i + 1} | ${attachment.size_bytes} | ${seconds.toFixed(2)} | ${(FILE_MIB / seconds).toFixed(1)} |`);
  }
  clearInterval(sampler);
  console.log(
    [
      `${env.DATABASE_URL ? 'PostgreSQL 15' : 'PGlite'}; service RSS before: ${baseline.toFixed(0)} MiB, peak while receiving: ${peak.toFixed(0)} MiB (+${(peak - baseline).toFixed(0)} MiB for ${FILE_MIB} MiB files)`,
      '| upload | bytes | seconds | MiB/s |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  service.kill('SIGTERM');
  await sleep(1000);
  await drop();
}
