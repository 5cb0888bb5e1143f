import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiPreconditionFailedResponse, ApiResponse } from '@nestjs/swagger';
import type { HeaderObject } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { REQUEST_ID_HEADER } from './request-id.middleware';

/** An If-Match header longer than this is not a list of version tags (etag.ts). */
export const MAX_IF_MATCH_LENGTH = 1024;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The hyphenated form, the only one the service accepts. */
export const UUID_LENGTH = 36;
/** RFC 3339 with nine fraction digits and an offset: `2026-05-04T08:00:00.123456789+05:30`. */
export const MAX_TIMESTAMP_LENGTH = 35;

type Headers = Record<string, HeaderObject>;

/** On every answer (spec §2). */
export const REQUEST_ID_HEADERS: Headers = {
  [REQUEST_ID_HEADER]: {
    description: 'The caller’s X-Request-ID when it is 1–128 of `A-Za-z0-9._:@/+=-`, else a new UUID',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:@/+=-]{1,128}$' },
  },
};

const seconds = (description: string, maximum: number): HeaderObject => ({
  description,
  schema: { type: 'integer', format: 'int32', minimum: 0, maximum },
});

/** Where the caller stands in the current one-minute window (IETF draft 6), when RATE_LIMIT_PER_MINUTE is not 0. */
export const RATE_LIMIT_HEADERS: Headers = {
  'RateLimit-Policy': {
    description: 'The limit and its window in seconds, e.g. `600;w=60`',
    schema: { type: 'string', maxLength: 32, pattern: '^\\d+;w=\\d+$' },
  },
  'RateLimit-Limit': seconds('Requests allowed per window', 1_000_000),
  'RateLimit-Remaining': seconds('Requests left in this window', 1_000_000),
  'RateLimit-Reset': seconds('Seconds until the window resets', 60),
};

/** On every 429 and 503 answer; on a 409 only with IDEMPOTENCY_KEY_IN_USE. */
export const RETRY_AFTER_HEADERS: Headers = {
  'Retry-After': {
    description: 'Seconds to wait before trying again: on every 429 and 503, on a 409 only with IDEMPOTENCY_KEY_IN_USE',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 60 },
  },
};

/** On the success of an operation that takes Idempotency-Key, when the answer is the first request's again. */
export const IDEMPOTENT_REPLAYED_HEADERS: Headers = {
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** On every answer with one ticket (spec §2): its version, for If-Match. */
export const VERSION_ETAG_HEADERS: Headers = {
  ETag: {
    description: 'The strong ETag `"<version>"` of the ticket, for If-Match',
    required: true,
    schema: { type: 'string', maxLength: 12, pattern: '^"\\d{1,10}"$', example: '"3"' },
  },
};

export const VALIDATION_ERROR_DESCRIPTION = 'Malformed JSON, a bad field or parameter, or an unknown property';

/** Every JSON endpoint can answer 400 with field errors. */
export function ApiValidationResponse(): ClassDecorator & MethodDecorator {
  return ApiBadRequestResponse({ type: ErrorResponseDto, description: VALIDATION_ERROR_DESCRIPTION });
}

/** Documents If-Match and the 412 of a stale version. */
export function ApiIfMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: `The ETag ("<version>") the change is based on; longer than ${MAX_IF_MATCH_LENGTH} characters never matches`,
      schema: { type: 'string', maxLength: MAX_IF_MATCH_LENGTH },
    }),
    ApiPreconditionFailedResponse({
      type: ErrorResponseDto,
      description: 'If-Match does not match the current version',
    }),
  );
}

/** Documents Idempotency-Key and its 409/422 answers. */
export function ApiIdempotent(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Up to 255 characters; a retry with the same key and body gets the first response again (kept 24 h)',
      schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
    }),
    ApiResponse({
      status: 409,
      type: ErrorResponseDto,
      description: 'IDEMPOTENCY_KEY_IN_USE: the first request with this key is still running',
    }),
    ApiResponse({
      status: 422,
      type: ErrorResponseDto,
      description: 'IDEMPOTENCY_KEY_REUSED: the key was used with a different body',
    }),
  );
}
