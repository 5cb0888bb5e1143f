import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiPreconditionFailedResponse, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';

export const VALIDATION_ERROR_DESCRIPTION = 'Malformed JSON, a bad field or parameter, or an unknown property';

/** Every JSON endpoint can answer 400 with field errors. */
export function ApiValidationResponse(): ClassDecorator & MethodDecorator {
  return ApiBadRequestResponse({ type: ErrorResponseDto, description: VALIDATION_ERROR_DESCRIPTION });
}

/** Documents If-Match and the 412 of a stale version. */
export function ApiIfMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag ("<version>") the change is based on' }),
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
