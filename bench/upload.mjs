// Attachment upload throughput against a bare stream-to-disk baseline, and the service's memory while it
// receives large files, per storage driver; then downloads through the service (proxy) and, on the object
// stores, by redirect to a signed URL (npm run build first).
//   node bench/upload.mjs [--json]     embedded PGlite;   BENCH_DATABASE_URL=postgres://… for PostgreSQL
// For each driver of BENCH_STORAGE_DRIVERS (local,s3,azure; S3 on s3rver, Azure on Azurite, started here as
// child processes like the test suites do) starts the built service (PostgreSQL: in a database of its own,
// created and dropped here), next to a bare node:http server that pipes each request body to a file. Streams
// BENCH_UPLOADS (5) multipart files of BENCH_FILE_MIB (50) MiB to each, alternating, never holding a file in
// memory; samples VmRSS of both every 20 ms and the CPU time each spends per upload. Then downloads the file
// BENCH_UPLOADS times through the service, and on S3 and Azure once more from a second service instance in
// ATTACHMENT_DOWNLOAD_MODE=redirect (following the 302 to the store): MiB/s end to end, and the service's CPU time
// and RSS growth, which is what redirect mode saves. Prints tables, or with --json one line of JSON (the local
// driver's figures under their old names, the others prefixed with the driver). The ratio is the median of
// service ÷ bare over the rounds, each round's pair measured back to back so drift on the shared cores cancels
// out; CPU time per upload is steadier than MiB/s when the cores are busy with other work. RSS growth is the
// service's peak over all uploads (downloads) minus its RSS before the first.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import jwt from 'jsonwebtoken';
import { openBenchDatabase } from './bench-database.mjs';
import { azureStorageEnv, s3StorageEnv, startAzurite, startS3rver } from '../test/support/store-servers.mjs';

const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? 50);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 5);
const DRIVERS = (process.env.BENCH_STORAGE_DRIVERS ?? 'local,s3,azure').split(',').map((driver) => driver.trim());
const JSON_OUTPUT = process.argv.includes('--json');
const SERVICE_PORT = 18_003;
const BARE_PORT = 18_004;
const RSS_SAMPLE_MS = 20;
const SERVICE_MAIN = 'apps/ticket-service/dist/apps/ticket-service/src/main.js';
const SECRET = 'benchmark-secret-with-at-least-32-characters';
const token = jwt.sign({ sub: randomUUID(), role: 'ADMIN', type: 'access' }, SECRET, { expiresIn: '1h' });

/** The baseline: the least a Node server can do with an upload — stream the raw body to a file, no parsing. */
const BARE_SERVER = `
const { createWriteStream } = require('node:fs');
const { createServer } = require('node:http');
const { join } = require('node:path');
const { pipeline } = require('node:stream/promises');
let received = 0;
createServer((req, res) => {
  const sink = createWriteStream(join(process.argv[1], String(received++)));
  pipeline(req, sink).then(
    () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ size_bytes: sink.bytesWritten })),
    () => res.writeHead(500).end(),
  );
}).listen(Number(process.argv[2]), '127.0.0.1');
`;

if (!existsSync(SERVICE_MAIN)) {
  console.error(`${SERVICE_MAIN} is missing: run npm run build first`);
  process.exit(1);
}

const database = await openBenchDatabase(process.env.BENCH_DATABASE_URL, 'upload');

const bareStorage = mkdtempSync(join(tmpdir(), 'ticket-bench-bare-'));
const bare = spawn(process.execPath, ['-e', BARE_SERVER, bareStorage, String(BARE_PORT)], {
  stdio: ['ignore', 'ignore', 'inherit'],
});

/** The service on a driver's store, with the flags npm start gives it. */
function startService(storageEnv, extraEnv = {}) {
  return spawn(process.execPath, ['--expose-gc', SERVICE_MAIN], {
    env: {
      ...process.env,
      ...database.env,
      ENVIRONMENT: 'test',
      RATE_LIMIT_PER_MINUTE: '0',
      SERVICE_PORT: String(SERVICE_PORT),
      HOST: '127.0.0.1',
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'error',
      ...storageEnv,
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The driver's store (a server for S3 and Azure) and the service's settings for it. */
async function openStore(driver, directory) {
  const staging = join(directory, 'staging');
  switch (driver) {
    case 'local':
      return { env: { UPLOAD_STORAGE_PATH: staging }, stop: async () => {} };
    case 's3': {
      const server = await startS3rver(join(directory, 's3'), 0, 'bench-attachments');
      return {
        env: { UPLOAD_STORAGE_PATH: staging, ...s3StorageEnv('bench-attachments', server.endpoint) },
        stop: server.stop,
      };
    }
    case 'azure': {
      const server = await startAzurite(join(directory, 'azure'), 0);
      return {
        env: { UPLOAD_STORAGE_PATH: staging, ...azureStorageEnv('bench-attachments', server.connectionString) },
        stop: server.stop,
      };
    }
    default:
      throw new Error(`unknown storage driver ${driver} in BENCH_STORAGE_DRIVERS`);
  }
}

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
/** User + system CPU time of a process, all threads, in ms (/proc counts in 1/100 s on Linux). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** The highest VmRSS of a process while `work` runs. */
async function peakRssDuring(pid, work) {
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), RSS_SAMPLE_MS);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssMiB(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

const CHUNK = Buffer.alloc(1024 * 1024, '2026-05-04T08:00:00Z worker-7 disk usage 41%\n');
const expectedSha256 = (() => {
  const hash = createHash('sha256');
  for (let i = 0; i < FILE_MIB; i++) hash.update(CHUNK);
  return hash.digest('hex');
})();

/** Streams one multipart body of FILE_MIB MiB, honouring backpressure; resolves with the parsed 201 answer. */
function upload(port, path) {
  const boundary = `----bench${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.log"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + FILE_MIB * CHUNK.length + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (data) => (body += data));
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
        if (!req.write(CHUNK)) return req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

/** Uploads once and returns MiB/s, the receiving process's CPU time and its peak RSS. */
async function timedUpload(pid, port, path, check) {
  const started = performance.now();
  const cpuBefore = cpuMs(pid);
  const { result, peak } = await peakRssDuring(pid, () => upload(port, path));
  const seconds = (performance.now() - started) / 1000;
  check(result);
  return { mibPerSecond: FILE_MIB / seconds, cpuMs: cpuMs(pid) - cpuBefore, peak };
}

const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Resolves once `url` answers; rejects when `child` exits first or a minute passes. */
async function waitReady(child, url) {
  for (let i = 0; i < 600 && !hasExited(child); i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer${hasExited(child) ? ': the process exited' : ''}`);
}

async function stop(child) {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value, digits = 1) => Number(value.toFixed(digits));

/** Downloads the attachment once, following a redirect to the store; returns MiB/s and the service's CPU and peak RSS. */
async function timedDownload(pid, attachmentId, mode) {
  const started = performance.now();
  const cpuBefore = cpuMs(pid);
  const { peak } = await peakRssDuring(pid, async () => {
    const answer = await fetch(`http://127.0.0.1:${SERVICE_PORT}/api/v1/attachments/${attachmentId}`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
    });
    const expected = mode === 'redirect' ? 302 : 200;
    if (answer.status !== expected) throw new Error(`${mode} download: ${answer.status} ${await answer.text()}`);
    const bytes = mode === 'redirect' ? await fetch(answer.headers.get('location')) : answer;
    const hash = createHash('sha256');
    for await (const chunk of bytes.body) hash.update(chunk);
    if (hash.digest('hex') !== expectedSha256) throw new Error(`${mode} download: other bytes`);
  });
  const seconds = (performance.now() - started) / 1000;
  return { mibPerSecond: FILE_MIB / seconds, cpuMs: cpuMs(pid) - cpuBefore, peak };
}

/** `rounds` downloads in `mode` after a warm-up: median MiB/s and service CPU ms, the service's RSS growth over them. */
async function downloads(pid, attachmentId, mode, rounds) {
  // One untimed download first: an instance's first download also pays for compiling and connecting.
  await timedDownload(pid, attachmentId, mode);
  await sleep(500);
  const before = rssMiB(pid);
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await timedDownload(pid, attachmentId, mode));
  return {
    mibPerSecond: median(runs.map((r) => r.mibPerSecond)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssGrowth: Math.max(...runs.map((r) => r.peak)) - before,
  };
}

async function createTicket() {
  const created = await fetch(`http://127.0.0.1:${SERVICE_PORT}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Upload benchmark', description: 'Large log files.', category: 'PROBLEM' }),
  });
  if (created.status !== 201) throw new Error(`creating the ticket: ${created.status} ${await created.text()}`);
  return created.json();
}

/** One driver: uploads alternating with the bare baseline, proxy downloads, and redirect downloads where signed. */
async function measureDriver(driver) {
  const directory = mkdtempSync(join(tmpdir(), `ticket-bench-${driver}-`));
  const store = await openStore(driver, directory);
  let service = startService(store.env);
  try {
    await waitReady(service, `http://127.0.0.1:${SERVICE_PORT}/health/ready`);
    const ticket = await createTicket();
    await sleep(500); // let startup garbage settle before the "before" reading
    const serviceBefore = rssMiB(service.pid);
    const bareBefore = rssMiB(bare.pid);
    const rounds = [];
    let attachmentId;
    for (let i = 0; i < UPLOADS; i++) {
      const bareRun = await timedUpload(bare.pid, BARE_PORT, '/', (answer) => {
        if (answer.size_bytes <= FILE_MIB * CHUNK.length) throw new Error('the baseline stored too little');
      });
      const serviceRun = await timedUpload(
        service.pid,
        SERVICE_PORT,
        `/api/v1/tickets/${ticket.id}/attachments`,
        (attachment) => {
          if (attachment.sha256 !== expectedSha256) throw new Error(`unexpected sha256 ${attachment.sha256}`);
          attachmentId = attachment.id;
        },
      );
      rounds.push({ service: serviceRun, bare: bareRun });
    }
    const servicePeak = Math.max(...rounds.map((r) => r.service.peak));
    const barePeak = Math.max(...rounds.map((r) => r.bare.peak));
    const result = {
      driver,
      rounds,
      service_mib_s: round(median(rounds.map((r) => r.service.mibPerSecond))),
      bare_mib_s: round(median(rounds.map((r) => r.bare.mibPerSecond))),
      ratio: round(median(rounds.map((r) => r.service.mibPerSecond / r.bare.mibPerSecond)), 2),
      service_cpu_ms: median(rounds.map((r) => r.service.cpuMs)),
      bare_cpu_ms: median(rounds.map((r) => r.bare.cpuMs)),
      service_rss_before_mib: round(serviceBefore),
      service_rss_peak_mib: round(servicePeak),
      service_rss_growth_mib: round(servicePeak - serviceBefore),
      bare_rss_growth_mib: round(barePeak - bareBefore),
    };
    const proxy = await downloads(service.pid, attachmentId, 'proxy', UPLOADS);
    Object.assign(result, {
      proxy_download_mib_s: round(proxy.mibPerSecond),
      proxy_download_cpu_ms: proxy.cpuMs,
      proxy_download_rss_growth_mib: round(proxy.rssGrowth),
    });
    if (driver !== 'local') {
      await stop(service);
      service = startService(store.env, { ATTACHMENT_DOWNLOAD_MODE: 'redirect' });
      await waitReady(service, `http://127.0.0.1:${SERVICE_PORT}/health/ready`);
      // Its own (embedded) database: the file is uploaded once more, untimed.
      const redirected = await upload(SERVICE_PORT, `/api/v1/tickets/${(await createTicket()).id}/attachments`);
      const redirect = await downloads(service.pid, redirected.id, 'redirect', UPLOADS);
      Object.assign(result, {
        redirect_download_mib_s: round(redirect.mibPerSecond),
        redirect_download_cpu_ms: redirect.cpuMs,
        redirect_download_rss_growth_mib: round(redirect.rssGrowth),
      });
    }
    return result;
  } finally {
    await stop(service);
    await store.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The figures of one driver as JSON keys: the local driver's under their old names, the others prefixed. */
function flatten(result) {
  const { driver, rounds: _rounds, ...figures } = result;
  return Object.fromEntries(
    Object.entries(figures).map(([key, value]) => [driver === 'local' ? key : `${driver}_${key}`, value]),
  );
}

function driverTable(result) {
  return [
    `### ${result.driver}: ${UPLOADS} × ${FILE_MIB} MiB, service and bare stream-to-disk alternating`,
    '| upload | service MiB/s | bare MiB/s | ratio | service CPU ms | bare CPU ms | service RSS peak MiB |',
    '|---|---|---|---|---|---|---|',
    ...result.rounds.map(
      (r, i) =>
        `| ${i + 1} | ${r.service.mibPerSecond.toFixed(1)} | ${r.bare.mibPerSecond.toFixed(1)} | ${(r.service.mibPerSecond / r.bare.mibPerSecond).toFixed(2)} | ${r.service.cpuMs} | ${r.bare.cpuMs} | ${r.service.peak.toFixed(0)} |`,
    ),
    '',
    `median MiB/s: service ${result.service_mib_s}, bare ${result.bare_mib_s}; median ratio ${result.ratio}`,
    `median CPU per upload: service ${result.service_cpu_ms} ms, bare ${result.bare_cpu_ms} ms`,
    `service RSS: before ${result.service_rss_before_mib} MiB, peak ${result.service_rss_peak_mib} MiB, growth +${result.service_rss_growth_mib} MiB (bare: +${result.bare_rss_growth_mib} MiB)`,
    '',
  ].join('\n');
}

function summaryTable(results) {
  const cell = (value) => (value === undefined ? '—' : String(value));
  return [
    `${database.label}; ${UPLOADS} × ${FILE_MIB} MiB per driver (medians; RSS growth: peak minus before)`,
    '| driver | upload MiB/s | bare MiB/s | ratio | upload RSS growth MiB | proxy download MiB/s | proxy CPU ms | proxy RSS growth MiB | redirect download MiB/s | redirect CPU ms | redirect RSS growth MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) =>
      [
        r.driver,
        r.service_mib_s,
        r.bare_mib_s,
        r.ratio,
        r.service_rss_growth_mib,
        r.proxy_download_mib_s,
        r.proxy_download_cpu_ms,
        r.proxy_download_rss_growth_mib,
        r.redirect_download_mib_s,
        r.redirect_download_cpu_ms,
        r.redirect_download_rss_growth_mib,
      ]
        .map(cell)
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
  ].join('\n');
}

try {
  await waitReady(bare, `http://127.0.0.1:${BARE_PORT}/`);
  const results = [];
  for (const driver of DRIVERS) results.push(await measureDriver(driver));
  if (JSON_OUTPUT) {
    console.log(
      JSON.stringify({
        database: database.label,
        file_mib: FILE_MIB,
        uploads: UPLOADS,
        ...Object.assign({}, ...results.map(flatten)),
      }),
    );
  } else {
    console.log([...results.map(driverTable), summaryTable(results)].join('\n'));
  }
} finally {
  await stop(bare);
  await database.drop();
  rmSync(bareStorage, { recursive: true, force: true });
}
