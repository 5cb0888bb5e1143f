import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  type HeaderObject,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  type ResponseObject,
  type Schema,
} from './openapi-document';

/** A response as a client received it: the shared test client's, the fuzzer's. */
export interface ReceivedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Spec §2: the error code of each error status (409, 422 and 503 carry several). */
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
  500: ['INTERNAL_ERROR'],
  503: ['SCAN_UNAVAILABLE', 'SERVICE_UNAVAILABLE'],
  507: ['INSUFFICIENT_STORAGE'],
};

/** The keys of the spec's error body; nothing else may appear in it. */
const ERROR_BODY_KEYS = new Set(['detail', 'error_code', 'request_id', 'errors']);

/**
 * Headers of the HTTP framing itself, which OpenAPI does not describe (it ignores a declared Content-Type: the
 * media type says it); every other header an answer carries must be declared on that answer.
 */
const FRAMING_HEADERS = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/**
 * Answered outside the API document, by design: Swagger UI, ReDoc (page and bundle) and the document itself (served
 * when DOCS_ENABLED).
 * Anything else outside the document is held to the error body (see exchangeViolations).
 */
const DOCUMENTATION_PATHS = /^\/(docs(\/.*)?|docs-json|openapi\.json|redoc(\/redoc\.standalone\.js)?)$/;

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

/** The header's value as one string (Node joins most repeated headers already). */
function headerOf(response: ReceivedResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** An operation's path template as a pattern; literal segments count first when two templates match. */
interface Route {
  operation: Operation;
  pattern: RegExp;
  literalSegments: number;
}

function routeOf(operation: Operation): Route {
  const segments = operation.path.split('/');
  const pattern = segments
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return {
    operation,
    pattern: new RegExp(`^${pattern}$`),
    literalSegments: segments.filter((segment) => !segment.startsWith('{')).length,
  };
}

/**
 * Checks answers against the committed OpenAPI document and spec §2: a documented status, a documented media type,
 * a body valid against the documented schema (objects closed), only declared headers and every required one, and
 * the spec's error body on every error. Returns what is wrong, empty when nothing.
 */
export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly errorBody: ValidateFunction;
  private readonly routes: Route[];
  private readonly sharedHeaders: Record<string, HeaderObject>;

  constructor(document: OpenApiDocument) {
    this.sharedHeaders = document.components.headers ?? {};
    this.ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addVocabulary(['example']);
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: strictCopy(document.components.schemas) });
    this.errorBody = this.ajv.compile({ $ref: `${COMPONENTS_ID}#/$defs/ErrorResponseDto` });
    this.routes = operationsOf(document)
      .map(routeOf)
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** The documented operation a request reached, or null when its method and path are outside the document. */
  operationAt(method: string, path: string): Operation | null {
    // Express answers HEAD with its GET route, headers and all, without the body.
    const lowerMethod = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const found = this.routes.find(
      (route) => route.operation.method === lowerMethod && route.pattern.test(path.split('?')[0]),
    );
    return found?.operation ?? null;
  }

  /**
   * Any exchange, documented or not. A request outside the document (a wrong URL or method, as the probe suites
   * send on purpose) never reaches a handler: it can only be answered by what runs before routing, so it must be a
   * 4xx with the spec's error body (404 from the router; 400/413 from the body parser; 401 never, authentication is
   * per route). The documentation pages (DOCUMENTATION_PATHS) are served outside the contract and not checked.
   */
  exchangeViolations(method: string, path: string, response: ReceivedResponse): string[] {
    const operation = this.operationAt(method, path);
    if (operation !== null && method.toUpperCase() === 'HEAD') return this.headViolations(operation, response);
    if (operation !== null) return this.violations(operation, response);
    if (DOCUMENTATION_PATHS.test(path.split('?')[0])) return [];
    const problems = this.requestIdViolations(response);
    if (![400, 404, 413, 429].includes(response.status)) {
      problems.push(`${method.toUpperCase()} ${path} is not in the document, yet answered ${response.status}`);
    }
    return [...problems, ...this.errorViolations(response, undefined)];
  }

  violations(operation: Operation, response: ReceivedResponse): string[] {
    const { status } = response;
    const documented = operation.responses[String(status)];
    if (documented === undefined) return [`status ${status} is not documented for ${operation.id}`];
    const problems = [...this.requestIdViolations(response), ...this.headerViolations(documented, response)];
    // A status outside spec §2's table that the document describes without a body (416 with Content-Range, like
    // 304) is held to the document; every other error to the spec's error body.
    const bodilessByDocument = !documented.content && !(status in ERROR_CODES_BY_STATUS);
    if (status >= 400 && !bodilessByDocument) problems.push(...this.errorViolations(response, documented));
    else problems.push(...this.answerViolations(operation, status, response));
    return problems;
  }

  /** HEAD: the GET's status and headers, no body to check. */
  private headViolations(operation: Operation, response: ReceivedResponse): string[] {
    const documented = operation.responses[String(response.status)];
    if (documented === undefined) return [`status ${response.status} is not documented for ${operation.id}`];
    return [...this.requestIdViolations(response), ...this.headerViolations(documented, response)];
  }

  private requestIdViolations(response: ReceivedResponse): string[] {
    return headerOf(response, 'x-request-id') ? [] : ['no X-Request-ID header'];
  }

  /** Every header sent is declared on the answer (or is framing), and every required one is sent. */
  private headerViolations(documented: ResponseObject, response: ReceivedResponse): string[] {
    const declared = new Map(
      Object.entries(documented.headers ?? {}).map(([name, header]) => [
        name.toLowerCase(),
        header.$ref === undefined ? header : this.sharedHeaders[header.$ref.replace('#/components/headers/', '')],
      ]),
    );
    const sent = Object.keys(response.headers).filter((name) => response.headers[name] !== undefined);
    const undeclared = sent.filter((name) => !declared.has(name) && !FRAMING_HEADERS.has(name));
    const missing = [...declared].filter(([name, header]) => header?.required === true && !sent.includes(name));
    return [
      ...(undeclared.length > 0 ? [`${response.status} carries undeclared headers ${undeclared.join(', ')}`] : []),
      ...(missing.length > 0
        ? [`${response.status} lacks required headers ${missing.map(([name]) => name).join(', ')}`]
        : []),
    ];
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
    // Bytes as they were stored (an attachment that happens to be JSON) are not parsed.
    if (mediaType !== 'application/json' || media?.schema === undefined || media.schema.format === 'binary') return [];
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
