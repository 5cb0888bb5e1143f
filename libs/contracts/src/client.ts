import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi';

export interface TicketClientOptions {
  /** Origin of the service, e.g. `http://localhost:8002`. */
  baseUrl: string;
  /** A bearer access token; omit for the public endpoints. */
  token?: string;
  /** Custom fetch (tests, retries, proxies). Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** A file to attach to a ticket (`POST /api/v1/tickets/{ticket_id}/attachments`, multipart). */
export interface AttachmentUpload {
  ticketId: string;
  /** The bytes: a File, or `new Blob([buffer], { type })`. */
  file: Blob;
  /** Its name; the extension must be one the service allows and agree with the content. */
  filename: string;
  /** A comment of the same ticket to attach it to. */
  commentId?: string;
  /** Retrying with the same key never stores the file twice. */
  idempotencyKey?: string;
}

/** The openapi-fetch client of the service's paths, plus what a plain JSON call cannot express. */
export type TicketClient = Client<paths> & {
  /** Uploads one file as multipart/form-data; the answer is typed like any other call's. */
  uploadAttachment(upload: AttachmentUpload): ReturnType<typeof uploadAttachment>;
};

/** A typed client of the ticket service's REST API, generated from its OpenAPI document. */
export function createTicketClient(options: TicketClientOptions): TicketClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : undefined,
  });
  return Object.assign(client, { uploadAttachment: (upload: AttachmentUpload) => uploadAttachment(client, upload) });
}

function uploadAttachment(client: Client<paths>, upload: AttachmentUpload) {
  const form = new FormData();
  form.append('file', upload.file, upload.filename);
  if (upload.commentId !== undefined) form.append('comment_id', upload.commentId);
  return client.POST('/api/v1/tickets/{ticket_id}/attachments', {
    params: { path: { ticket_id: upload.ticketId } },
    body: { file: upload.file, comment_id: upload.commentId },
    bodySerializer: () => form,
    headers: upload.idempotencyKey === undefined ? {} : { 'Idempotency-Key': upload.idempotencyKey },
  });
}

/** What the service says in response headers, beside the body. */
export interface ResponseMeta {
  /** `ETag` of a single ticket (`"<version>"`); send it back with `ifMatch`. */
  etag: string | null;
  /** The ticket version the ETag names. */
  version: number | null;
  /** `X-Request-ID`: quote it when reporting a problem. */
  requestId: string | null;
  /** Ticket lists: false when `total` is PostgreSQL's estimate (above 1,000 matches). */
  totalExact: boolean | null;
  /** Ticket lists: pass as `cursor` (same filters) for the next page; null on the last one. */
  nextCursor: string | null;
  /** A POST with an `Idempotency-Key` answered from the first attempt. */
  idempotentReplayed: boolean;
  /** Seconds to wait after a 429 or 503. */
  retryAfterSeconds: number | null;
}

const numberOrNull = (text: string | null): number | null => {
  const value = text === null ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : null;
};

/** Reads the headers of any call's `response` (`const { data, response } = await client.GET(…)`). */
export function responseMeta(response: Response): ResponseMeta {
  const etag = response.headers.get('ETag');
  const totalExact = response.headers.get('X-Total-Exact');
  return {
    etag,
    version: etag === null ? null : numberOrNull(/^(?:W\/)?"(\d+)"$/.exec(etag)?.[1] ?? null),
    requestId: response.headers.get('X-Request-ID'),
    totalExact: totalExact === null ? null : totalExact === 'true',
    nextCursor: response.headers.get('X-Next-Cursor'),
    idempotentReplayed: response.headers.get('Idempotent-Replayed') === 'true',
    retryAfterSeconds: numberOrNull(response.headers.get('Retry-After')),
  };
}

/**
 * Headers of a conditional change (`PUT`/`PATCH`/actions): the service answers 412 PRECONDITION_FAILED instead of
 * overwriting a newer version. Pass the ticket's `version` or the ETag as received.
 */
export function ifMatch(versionOrEtag: number | string): { 'If-Match': string } {
  return { 'If-Match': typeof versionOrEtag === 'number' ? `"${versionOrEtag}"` : versionOrEtag };
}
