import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Credential } from './openapi-arbitraries';
import type { OpenApiDocument, Operation, ResponseObject, Schema } from '../support/openapi-document';

/** A response as the fuzzer received it. */
export interface ReceivedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Spec §2: the error code of each error status (409 and 422 carry several). */
const ERROR_CODES_BY_STATUS: Readonly<Record<number, readonly string[]>> = {
  400: ['VALIDATION_ERROR'],
  401: ['UNAUTHORIZED'],
  403: ['FORBIDDEN'],
  404: ['NOT_FOUND'],
  409: ['INVALID_STATUS_TRANSITION', 'REOPEN_WINDOW_EXPIRED', 'TICKET_CLOSED', 'CONFLICT', 'IDEMPOTENCY_KEY_IN_USE'],
  412: ['PRECONDITION_FAILED'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_FILE_TYPE'],
  422: ['FILE_INFECTED', 'IDEMPOTENCY_KEY_REUSED'],
  429: ['RATE_LIMITED'],
};

/** The keys of the spec's error body; nothing else may appear in it. */
const ERROR_BODY_KEYS = new Set(['detail', 'error_code', 'request_id', 'errors']);

const COMPONENTS_ID = 'openapi.json';

/**
 * The document's schemas made strict for checking answers: every object that lists its properties gets
 * `additionalProperties: false` (unless it says otherwise), so an undocumented field in a 2xx body is a
 * mismatch too, and every `$ref` points into the one registered copy of the components (as `$defs`).
 */
function strictCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strictCopy);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // `properties` maps names to schemas: its keys are never keywords, so it is copied entry by entry.
    copy[key] =
      key === 'example'
        ? child
        : key === '$ref' && typeof child === 'string'
          ? child.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`)
          : key === 'properties'
            ? Object.fromEntries(Object.entries(child as object).map(([name, schema]) => [name, strictCopy(schema)]))
            : strictCopy(child);
  }
  if (copy.properties !== undefined && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

/**
 * Spec §3 seen from outside: on a secured operation a valid role token is never refused (401), and nothing else
 * gets past the guard (only the body parser, which runs first, may answer 400 or 413 instead of 401); a public
 * operation ignores credentials.
 */
export function authenticationViolations(operation: Operation, credential: Credential, status: number): string[] {
  if (!operation.secured || credential.authenticates) {
    return status === 401 ? [`the ${credential.label} credential was refused`] : [];
  }
  return [400, 401, 413].includes(status) ? [] : [`the ${credential.label} credential got through: ${status}`];
}

/** The header's value as one string (Node joins most repeated headers already). */
function headerOf(response: ReceivedResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Checks answers against the committed document and spec §2: returns what is wrong, empty when nothing. */
export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly errorBody: ValidateFunction;

  constructor(document: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addVocabulary(['example']);
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: strictCopy(document.components.schemas) });
    this.errorBody = this.ajv.compile({ $ref: `${COMPONENTS_ID}#/$defs/ErrorResponseDto` });
  }

  violations(operation: Operation, response: ReceivedResponse): string[] {
    const problems: string[] = [];
    const { status } = response;
    if (status >= 500) problems.push(`answered ${status}`);
    if (!headerOf(response, 'x-request-id')) problems.push('no X-Request-ID header');
    const documented = operation.responses[String(status)];
    if (documented === undefined) problems.push(`status ${status} is not documented for ${operation.id}`);
    // A status outside spec §2's table that the document describes without a body (416 with Content-Range, like
    // 304) is held to the document; every other error to the spec's error body.
    const bodilessByDocument = documented !== undefined && !documented.content && !(status in ERROR_CODES_BY_STATUS);
    if (status >= 400 && !bodilessByDocument) problems.push(...this.errorViolations(response, documented));
    else if (documented !== undefined) problems.push(...this.answerViolations(operation, status, response));
    return problems;
  }

  /** Spec §2: the error body, its code matching the status, `errors` exactly on VALIDATION_ERROR. */
  private errorViolations(response: ReceivedResponse, documented: ResponseObject | undefined): string[] {
    const contentType = headerOf(response, 'content-type') ?? '';
    if (!contentType.startsWith('application/json')) return [`error answered as ${contentType || 'no content type'}`];
    const documentedTypes = Object.keys(documented?.content ?? {});
    if (documented !== undefined && !documentedTypes.includes('application/json')) {
      return [`${response.status} is documented as ${documentedTypes.join(', ') || 'no body'}, answered as JSON`];
    }
    const body = parseJson(response.body);
    if (body === undefined) return ['error body is not JSON'];
    const problems: string[] = [];
    if (!this.errorBody(body))
      problems.push(`error body does not match ErrorResponseDto: ${this.ajv.errorsText(this.errorBody.errors)}`);
    if (typeof body !== 'object' || body === null) return problems;
    const error = body as Record<string, unknown>;
    const extra = Object.keys(error).filter((key) => !ERROR_BODY_KEYS.has(key));
    if (extra.length > 0) problems.push(`error body has undocumented keys ${extra.join(', ')}`);
    const codes = ERROR_CODES_BY_STATUS[response.status] ?? [];
    if (!codes.includes(String(error.error_code)))
      problems.push(`${response.status} carries ${String(error.error_code)}`);
    if ((error.error_code === 'VALIDATION_ERROR') !== Array.isArray(error.errors)) {
      problems.push('`errors` must be present exactly on VALIDATION_ERROR');
    }
    if (error.request_id !== headerOf(response, 'x-request-id')) problems.push('request_id differs from X-Request-ID');
    if (/\n\s+at /.test(String(error.detail))) problems.push('detail carries a stack trace');
    if (response.status === 401 && !headerOf(response, 'www-authenticate')?.startsWith('Bearer')) {
      problems.push('401 without a Bearer WWW-Authenticate challenge');
    }
    return problems;
  }

  /** A documented non-error answer: its media type and, for JSON, a body matching the documented schema. */
  private answerViolations(operation: Operation, status: number, response: ReceivedResponse): string[] {
    const content = operation.responses[String(status)].content;
    if (content === undefined) {
      return response.body.length === 0 ? [] : [`${status} is documented without a body but has one`];
    }
    const contentType = headerOf(response, 'content-type') ?? '';
    const [mediaType, media] = Object.entries(content).find(([range]) => inMediaRange(contentType, range)) ?? [];
    if (mediaType === undefined) {
      return [
        `${status} answered as ${contentType || 'no content type'}, documented: ${Object.keys(content).join(', ')}`,
      ];
    }
    if (mediaType !== 'application/json' || media?.schema === undefined) return [];
    const body = parseJson(response.body);
    if (body === undefined) return [`${status} body is not JSON`];
    const validate = this.validatorFor(`${operation.id} ${status}`, media.schema);
    return validate(body)
      ? []
      : [`${status} body does not match the document: ${this.ajv.errorsText(validate.errors)}`];
  }

  private validatorFor(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(strictCopy(schema) as object);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** Whether a Content-Type (parameters and all) falls in a documented media range: any, a whole type, or exact. */
function inMediaRange(contentType: string, range: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === '') return false;
  if (range === '*/*') return true;
  return range.endsWith('/*') ? type.startsWith(range.slice(0, -1)) : type === range;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
