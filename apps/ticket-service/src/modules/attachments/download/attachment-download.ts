import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Logger } from '@nestjs/common';
import type { HeaderObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ByteRange, SignedDownload } from '../storage/storage-driver';
import { etagMatches, parseRange } from './byte-range';

/** What a download answers: the status, its headers and, unless it has none, a way to open the body. */
export interface AttachmentDownload {
  status: 200 | 206 | 302 | 304 | 416;
  headers: Record<string, string>;
  /** Opened only after every check passed and before any header is written, so store errors are still answerable. */
  open: (() => Promise<Readable>) | null;
}

/** The conditional and range headers a download honours. */
export interface DownloadConditions {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
}

export function downloadConditionsOf(req: Request): DownloadConditions {
  return { range: req.header('Range'), ifRange: req.header('If-Range'), ifNoneMatch: req.header('If-None-Match') };
}

/** RFC 5987 / 8187 encoding: percent-encode everything outside attr-char. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Always an attachment (never rendered inline), with the name in UTF-8. */
export function contentDisposition(filename: string): string {
  return `attachment; filename*=UTF-8''${encodeExtValue(filename)}`;
}

const logger = new Logger('AttachmentDownload');

const text = (description: string, maxLength: number, required = true): HeaderObject => ({
  description,
  required,
  schema: { type: 'string', maxLength },
});

/** The headers buildDownload sets, as the OpenAPI document declares them, by status. */
const VALIDATORS: Record<string, HeaderObject> = {
  ETag: text('The strong ETag `"<sha256>"` of the stored bytes', 66),
  'Accept-Ranges': text('`bytes`', 5),
  'Cache-Control': text('`private, no-cache`', 32),
  'X-Content-Type-Options': text('`nosniff`', 7),
};
const CONTENT: Record<string, HeaderObject> = {
  ...VALIDATORS,
  // attachment; filename*=UTF-8''<the filename, up to 255 characters, percent-encoded>
  'Content-Disposition': text("`attachment; filename*=UTF-8''<percent-encoded name>`", 3_100),
  'Content-Security-Policy': text("`default-src 'none'; sandbox`", 64),
};
export const DOWNLOAD_HEADERS = {
  200: CONTENT,
  206: { ...CONTENT, 'Content-Range': text('`bytes <first>-<last>/<size>`', 64) },
  304: VALIDATORS,
  416: { ...VALIDATORS, 'Content-Range': text('`bytes */<size>`', 32) },
} as const;

/**
 * Writes a download. Once the headers are out an error can no longer become an error body: the response is
 * cut short instead, which the client sees as fewer bytes than Content-Length announced.
 */
export async function sendDownload(req: Request, res: Response, download: AttachmentDownload): Promise<void> {
  const body = download.open && req.method !== 'HEAD' ? await download.open() : null;
  res.status(download.status);
  for (const [name, value] of Object.entries(download.headers)) res.setHeader(name, value);
  if (!body) {
    res.end();
    return;
  }
  try {
    await pipeline(body, res);
  } catch (error) {
    // A client that goes away mid-download is routine; a store failing mid-stream is worth a line.
    const clientLeft = (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (!clientLeft) {
      logger.warn(
        { requestId: req.id, err: error instanceof Error ? error.message : String(error) },
        'download cut short',
      );
    }
  }
}

/** What a download needs to know about the attachment. */
export interface DownloadableAttachment {
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
}

/** The strong ETag of an attachment: its quoted SHA-256. */
const etagOf = (attachment: DownloadableAttachment): string => `"${attachment.sha256}"`;

/** What every download answer says about the stored bytes (VALIDATORS), also a 304 in either mode. */
const validatorHeaders = (etag: string): Record<string, string> => ({
  ETag: etag,
  'Accept-Ranges': 'bytes',
  'Cache-Control': 'private, no-cache',
  'X-Content-Type-Options': 'nosniff',
});

/**
 * The answer to a download request in redirect mode: 304 when the client's copy is current, else 302 to a URL of
 * the store signed for `expiresInSeconds`, which answers with the stored type and as an attachment under the stored
 * name (the store serves ranges itself). Never cached: the URL expires.
 */
export async function buildRedirect(
  attachment: DownloadableAttachment,
  conditions: DownloadConditions,
  expiresInSeconds: number,
  sign: (download: SignedDownload) => Promise<string>,
): Promise<AttachmentDownload> {
  const etag = etagOf(attachment);
  if (etagMatches(conditions.ifNoneMatch, etag)) {
    return { status: 304, headers: validatorHeaders(etag), open: null };
  }
  const location = await sign({
    contentDisposition: contentDisposition(attachment.filename),
    contentType: attachment.contentType,
    expiresInSeconds,
  });
  return { status: 302, headers: { Location: location, 'Cache-Control': 'private, no-store' }, open: null };
}

/**
 * The answer to a download request: 304 when the client's copy is current, 416 for a range past the end,
 * 206 with the slice for one satisfiable range (If-Range permitting), the whole file otherwise. Every answer
 * carries the strong ETag (the quoted SHA-256) and `nosniff`; bodies are always attachments.
 */
export function buildDownload(
  attachment: DownloadableAttachment,
  conditions: DownloadConditions,
  open: (range?: ByteRange) => Promise<Readable>,
): AttachmentDownload {
  const etag = etagOf(attachment);
  const size = attachment.sizeBytes;
  const always = validatorHeaders(etag);
  if (etagMatches(conditions.ifNoneMatch, etag)) return { status: 304, headers: always, open: null };
  // A range of a representation the client no longer has would splice two versions: send it whole instead.
  const range = conditions.ifRange === undefined || conditions.ifRange === etag ? conditions.range : undefined;
  const request = parseRange(range, size);
  if (request.kind === 'unsatisfiable') {
    return {
      status: 416,
      headers: { ...always, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' },
      open: null,
    };
  }
  const content: Record<string, string> = {
    ...always,
    'Content-Type': attachment.contentType,
    'Content-Disposition': contentDisposition(attachment.filename),
    // Opened directly anyway, the file runs no script and loads nothing.
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  if (request.kind === 'partial') {
    const { start, end } = request.range;
    return {
      status: 206,
      headers: {
        ...content,
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Content-Length': String(end - start + 1),
      },
      open: () => open(request.range),
    };
  }
  return { status: 200, headers: { ...content, 'Content-Length': String(size) }, open: () => open() };
}
