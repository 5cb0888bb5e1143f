import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  ExampleObject,
  HeaderObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ErrorCode } from '@ticketing/contracts';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { httpStatusOf } from '../errors/error-status';
import {
  IDEMPOTENT_REPLAYED_HEADERS,
  MAX_TIMESTAMP_LENGTH,
  RATE_LIMIT_HEADERS,
  REQUEST_ID_HEADERS,
  RETRY_AFTER_HEADERS,
  UUID_LENGTH,
  VALIDATION_ERROR_DESCRIPTION,
} from './api-responses';

/**
 * What every operation shares, added to the generated document in one place rather than on each controller: the
 * answers of the middleware that runs before routing (body parser 400/413, rate limiter 429), of the error filter
 * (500, 503 when the database is unreachable), the headers every answer carries (X-Request-ID, RateLimit-*), one
 * example per documented error code, and the bounds that a string's format already implies.
 */
export function applyApiConventions(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  // Every tag an operation uses, declared once (in the order they first appear).
  const tags = Object.values(document.paths).flatMap((item) =>
    [item.get, item.put, item.post, item.patch, item.delete].flatMap((operation) => operation?.tags ?? []),
  );
  document.tags = [...new Set(tags)].map((name) => ({ name, description: TAG_DESCRIPTIONS[name] }));
  components.headers = {
    ...components.headers,
    ...REQUEST_ID_HEADERS,
    ...RATE_LIMIT_HEADERS,
    ...RETRY_AFTER_HEADERS,
    ...IDEMPOTENT_REPLAYED_HEADERS,
  };
  const examples = (components.examples ??= {});
  for (const [path, item] of Object.entries(document.paths)) {
    const throughApi = path.startsWith('/api/');
    for (const operation of [item.get, item.put, item.post, item.patch, item.delete]) {
      if (operation === undefined) continue;
      documentSharedAnswers(operation, throughApi);
      documentSharedHeaders(operation, throughApi);
      documentErrorExamples(operation, path, examples);
      dropRepeatedSecurity(operation);
      for (const schema of inlineSchemasOf(operation)) boundByFormat(schema);
      boundEnumLists(operation, components.schemas ?? {});
    }
  }
  for (const schema of Object.values(components.schemas ?? {})) {
    boundByFormat(schema as SchemaObject);
    unwrapLoneReferences(schema as SchemaObject);
  }
}

/**
 * The generator wraps a referenced enum in a one-element `allOf` even when nothing sits beside it; a plain `$ref`
 * says the same without the composition linters call illogical.
 */
function unwrapLoneReferences(schema: SchemaObject): void {
  for (const [name, property] of Object.entries(schema.properties ?? {}) as [string, SchemaObject][]) {
    const [only, ...others] = property.allOf ?? [];
    if (only !== undefined && others.length === 0 && Object.keys(property).length === 1 && '$ref' in only) {
      schema.properties![name] = only;
    }
  }
}

/** A reference to each of the named shared headers (components.headers). */
function shared(headers: Record<string, HeaderObject>): Record<string, ReferenceObject> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

/** The schemas written out within an operation: its parameters', its request body's, its answers'. */
function inlineSchemasOf(operation: OperationObject): SchemaObject[] {
  const parameters = ((operation.parameters ?? []) as ParameterObject[]).map((parameter) => parameter.schema);
  const bodies = Object.values((operation.requestBody as RequestBodyObject | undefined)?.content ?? {});
  const answers = (Object.values(operation.responses) as ResponseObject[]).flatMap((answer) => [
    ...Object.values(answer.content ?? {}),
    ...Object.values(answer.headers ?? {}),
  ]);
  return [...parameters, ...[...bodies, ...answers].map((media) => (media as { schema?: unknown }).schema)].filter(
    (schema): schema is SchemaObject => typeof schema === 'object' && schema !== null && !('$ref' in schema),
  );
}

/**
 * A repeatable enum filter takes each value at most once (the DTOs' ArrayMaxSize): the generator drops maxItems
 * from enum arrays in a query, so it is restored from the enum here.
 */
function boundEnumLists(operation: OperationObject, schemas: Record<string, SchemaObject | ReferenceObject>): void {
  for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
    const schema = parameter.schema as SchemaObject | undefined;
    const items = schema?.items as ReferenceObject | undefined;
    if (schema?.type !== 'array' || schema.maxItems !== undefined || items?.$ref === undefined) continue;
    const values = (schemas[items.$ref.replace('#/components/schemas/', '')] as SchemaObject | undefined)?.enum;
    if (values !== undefined) schema.maxItems = values.length;
  }
}

/** An error answer with the spec's body (its headers are added by documentSharedHeaders). */
function errorAnswer(description: string): ResponseObject {
  return {
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ErrorResponseDto.name}` } } },
  };
}

/**
 * The body parser runs before routing, on every route: any operation can answer 400 (malformed or too deeply nested
 * JSON, a body it does not take, another content type) and 413 (a JSON body above 1 MiB). The error filter answers
 * 500 for anything unexpected; every API route reads the database, so 503 when it is unreachable; the rate limiter
 * runs first on the API prefix, so 429 there.
 */
function documentSharedAnswers(operation: OperationObject, throughApi: boolean): void {
  const { responses } = operation;
  responses['400'] ??= errorAnswer(VALIDATION_ERROR_DESCRIPTION);
  responses['413'] ??= errorAnswer('PAYLOAD_TOO_LARGE: a JSON body above 1 MiB');
  responses['500'] ??= errorAnswer('INTERNAL_ERROR: anything unexpected (logged with the request id)');
  if (!throughApi) return;
  responses['429'] ??= errorAnswer(
    'RATE_LIMITED: more requests this minute than RATE_LIMIT_PER_MINUTE allows (per user, or per address without a valid token)',
  );
  const unavailable = 'SERVICE_UNAVAILABLE: the database is unreachable';
  const documented = responses['503'] as ResponseObject | undefined;
  if (documented === undefined) responses['503'] = errorAnswer(unavailable);
  else if (!documented.description.includes('SERVICE_UNAVAILABLE')) {
    documented.description = `${documented.description}; ${unavailable}`;
  }
}

/**
 * X-Request-ID on every answer; RateLimit-* on every answer of the API prefix (when limiting is on); Retry-After on
 * every 503 and 429, and on a 409 of an operation that takes Idempotency-Key (IDEMPOTENCY_KEY_IN_USE);
 * Idempotent-Replayed on the success of such an operation.
 */
function documentSharedHeaders(operation: OperationObject, throughApi: boolean): void {
  const idempotent = ((operation.parameters ?? []) as ParameterObject[]).some(
    (parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key',
  );
  for (const [status, answer] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    const own = answer.headers ?? {};
    const retried = ['429', '503'].includes(status) || (idempotent && status === '409');
    answer.headers = {
      ...shared(REQUEST_ID_HEADERS),
      ...(throughApi ? shared(RATE_LIMIT_HEADERS) : {}),
      ...(retried ? shared(RETRY_AFTER_HEADERS) : {}),
      ...(idempotent && status.startsWith('2') ? shared(IDEMPOTENT_REPLAYED_HEADERS) : {}),
      ...own,
    };
  }
}

/** What an example error says, by code (NOT_FOUND names the resource of the path). */
const EXAMPLE_DETAILS: Readonly<Record<ErrorCode, string>> = {
  [ErrorCode.VALIDATION_ERROR]: 'Request validation failed',
  [ErrorCode.UNAUTHORIZED]: 'Missing access token',
  [ErrorCode.FORBIDDEN]: 'You are not allowed to perform this action',
  [ErrorCode.NOT_FOUND]: 'Resource not found',
  [ErrorCode.INVALID_STATUS_TRANSITION]: 'Cannot move from RESOLVED to IN_PROGRESS; allowed: CLOSED, REOPENED',
  [ErrorCode.REOPEN_WINDOW_EXPIRED]: 'The ticket was closed more than 7 days ago and can no longer be reopened',
  [ErrorCode.TICKET_CLOSED]: 'The ticket is closed',
  [ErrorCode.CONFLICT]: 'A resource with the same unique value already exists',
  [ErrorCode.IDEMPOTENCY_KEY_IN_USE]: 'A request with this Idempotency-Key is still running',
  [ErrorCode.PRECONDITION_FAILED]: 'The ticket changed since version 3 (now 4)',
  [ErrorCode.PAYLOAD_TOO_LARGE]: 'Request body is larger than 1 MiB',
  [ErrorCode.UNSUPPORTED_FILE_TYPE]: 'Files of type .exe are not accepted',
  [ErrorCode.FILE_INFECTED]: 'The file was flagged by the virus scanner and was not stored',
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 'This Idempotency-Key was used with a different request body',
  [ErrorCode.RATE_LIMITED]: 'Too many requests; try again in 12 s',
  [ErrorCode.INTERNAL_ERROR]: 'Internal server error',
  [ErrorCode.SCAN_UNAVAILABLE]: 'The virus scanner is unavailable; try again later',
  [ErrorCode.SERVICE_UNAVAILABLE]: 'The database is unavailable',
  [ErrorCode.INSUFFICIENT_STORAGE]: 'The attachment store is unavailable',
};

/** What each group of operations is for, as Swagger UI and ReDoc head them. */
const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  operations: 'Liveness, readiness and Prometheus metrics: public, outside the API prefix, never rate limited',
  teams: 'Support teams, their members (leads and members) and their metrics',
  sla: 'Response and resolution targets per priority, their clocks, and the working calendars business hours count on',
  tickets:
    'Open, find, triage, assign, resolve, close and reopen tickets, read their history; links, followers, merging ' +
    'duplicates and bulk changes',
  comments: 'Public comments and internal notes on a ticket',
  attachments: 'Files on a ticket or comment: streamed, type-checked, optionally virus-scanned',
  events: 'The feed of ticket events, oldest first, resumable with a cursor',
  webhooks: 'Signed deliveries of ticket events to subscribed URLs, with retries and a delivery log',
  alerts: 'Monitoring alerts (generic and Prometheus Alertmanager) opening one ticket per incident, and their routing',
};

const EXAMPLE_REQUEST_ID = '9b2f0c1e-5d0b-4c53-9d36-2f1f6b0f7a11';

/** "Ticket" for `.../tickets/{ticket_id}/comments`: the resource of the path's last id parameter. */
function resourceOf(path: string): string {
  const ids = [...path.matchAll(/\{(\w+?)_id\}/g)].map((match) => match[1]);
  const last = ids.at(-1);
  return last === undefined ? 'Resource' : `${last[0].toUpperCase()}${last.slice(1)}`;
}

/**
 * The codes an error answer documents: its status's only code, or (409, 422, 503) the ones its description names.
 * One example each, as the service writes it (spec §2 body).
 */
function documentErrorExamples(
  operation: OperationObject,
  path: string,
  examples: Record<string, ExampleObject | ReferenceObject>,
): void {
  for (const [status, answer] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    const shared = answer.content?.['application/json'];
    if (Number(status) < 400 || shared === undefined) continue;
    // Its own copy: decorators may hand several answers one content object.
    const media = { ...shared };
    answer.content = { ...answer.content, 'application/json': media };
    const candidates = Object.values(ErrorCode).filter((code) => String(httpStatusOf(code)) === status);
    const named = candidates.filter((code) => new RegExp(`\\b${code}\\b`).test(answer.description));
    const codes = candidates.length === 1 ? candidates : named;
    if (codes.length === 0) continue;
    if (codes.length === 1 && !answer.description.includes(codes[0])) {
      const missing = `${resourceOf(path)} missing, deleted or not visible to the caller`;
      const description = answer.description || (codes[0] === ErrorCode.NOT_FOUND ? missing : '');
      answer.description = description ? `${codes[0]}: ${description}` : codes[0];
    }
    media.examples = Object.fromEntries(
      codes.map((code) => {
        const resource = code === ErrorCode.NOT_FOUND ? resourceOf(path) : '';
        const name = `${code}${resource}`;
        const detail = resource ? `${resource} not found` : EXAMPLE_DETAILS[code];
        const errors =
          code === ErrorCode.VALIDATION_ERROR
            ? { errors: [{ field: 'title', message: 'title must be longer than or equal to 5 characters' }] }
            : {};
        examples[name] ??= {
          summary: code,
          value: { detail, error_code: code, request_id: EXAMPLE_REQUEST_ID, ...errors },
        };
        return [code, { $ref: `#/components/examples/${name}` }];
      }),
    );
  }
}

/**
 * A method-level role requirement repeats the controller's bearer requirement (both come from Auth()); one
 * requirement object is what the operation needs.
 */
function dropRepeatedSecurity(operation: OperationObject): void {
  if (operation.security === undefined) return;
  const seen = new Set<string>();
  operation.security = operation.security.filter((requirement: Record<string, string[]>) => {
    const key = JSON.stringify(requirement);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The length a format already bounds: a UUID is 36 characters (the service accepts only the hyphenated form), an
 * RFC 3339 timestamp at most 35 (nine fraction digits and an offset). Integers get the format their bounds fit.
 */
function boundByFormat(schema: SchemaObject): void {
  if (schema.type === 'string' && schema.maxLength === undefined) {
    if (schema.format === 'uuid') schema.maxLength = UUID_LENGTH;
    if (schema.format === 'date-time') schema.maxLength = MAX_TIMESTAMP_LENGTH;
  }
  if (schema.type === 'integer' && schema.format === undefined) {
    schema.format = (schema.maximum ?? Infinity) <= 2 ** 31 - 1 ? 'int32' : 'int64';
  }
  for (const child of [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(schema.allOf ?? []),
  ]) {
    boundByFormat(child as SchemaObject);
  }
}
