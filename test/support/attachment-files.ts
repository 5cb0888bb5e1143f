import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { join, relative } from 'node:path';
import type { TestApp } from './test-app';

/** Shared by the attachment suites: sample bytes, storage walks and small waits. */

export const MiB = 1024 * 1024;

export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  Buffer.alloc(64, 1),
]);

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A log of roughly `size` bytes whose lines differ, so any misplaced slice shows. */
export function logBytes(size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i += 1) {
    const line = `2026-05-04T08:00:${String(i % 60).padStart(2, '0')}Z worker-${i} disk usage ${i % 100}%\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

/** Every file under `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Waits for a condition the test cannot be told about (a file the server creates), checking every 10 ms. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

/** `until` for a condition that needs a query (the service's rows, its records). */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

export function collect(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
}

/** Attachment rows of a ticket, soft-deleted ones included. */
export async function attachmentRowCount(t: TestApp, ticketId: string): Promise<number> {
  const [row] = await t.dataSource.query<{ n: number }[]>(
    'SELECT count(*)::int AS n FROM attachments WHERE ticket_id = $1',
    [ticketId],
  );
  return row.n;
}

/** The upload and deletion intents the attachments module has recorded (attachment_storage_intents). */
export function storageIntents(t: TestApp): Promise<{ storage_key: string; kind: string }[]> {
  return t.dataSource.query('SELECT storage_key, kind FROM attachment_storage_intents ORDER BY storage_key');
}

const STREAMED_BOUNDARY = 'streamed-upload-boundary';

export interface StreamedUpload {
  /** The answer, or the error of a connection the server (or its death) cut. */
  response: Promise<{ status: number; body: any }>;
  /** Sends the rest of the file and the closing boundary. */
  finish(): void;
  /** Cuts the connection, like a client that goes away. */
  abort(): void;
}

/**
 * An upload sent by hand, for bodies supertest cannot send: the multipart head and the first `sentBytes` of
 * `content` go out at once (with the Content-Length of the whole body), the rest only on finish().
 */
export function startStreamedUpload(
  baseUrl: string,
  token: string,
  ticketId: string,
  filename: string,
  content: Buffer,
  sentBytes: number,
): StreamedUpload {
  const head = Buffer.from(
    `--${STREAMED_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${STREAMED_BOUNDARY}--\r\n`);
  const request = http.request(`${baseUrl}/api/v1/tickets/${ticketId}/attachments`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': `multipart/form-data; boundary=${STREAMED_BOUNDARY}`,
      'Content-Length': String(head.length + content.length + tail.length),
    },
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (res) => {
      collect(res).then((body) => {
        resolve({ status: res.statusCode ?? 0, body: body.length > 0 ? JSON.parse(body.toString()) : null });
      }, reject);
    });
  });
  request.write(head);
  request.write(content.subarray(0, sentBytes));
  return {
    response,
    finish: () => request.end(Buffer.concat([content.subarray(sentBytes), tail])),
    abort: () => request.destroy(),
  };
}
