import { ErrorCode } from '@ticketing/contracts';
import type { Request, Response } from 'express';
import { bearerChallenge } from '../auth/auth-failure';
import { requestIdOf } from '../http/request-id.middleware';
import type { DomainError, FieldError } from './domain-error';
import { ERROR_BODY_LIMITS } from './error-response.dto';
import { httpStatusOf } from './error-status';

export interface ErrorBody {
  detail: string;
  error_code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

/** The text, or its beginning and an ellipsis when it is longer than `max`. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The first problems, each cut to the documented lengths: a body of many long unknown keys stays small. */
export function boundedFieldErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.slice(0, ERROR_BODY_LIMITS.errors).map(({ field, message }) => ({
    field: cut(field, ERROR_BODY_LIMITS.field),
    message: cut(message, ERROR_BODY_LIMITS.message),
  }));
}

/** Writes the spec's error body; used by the global filter and by the Express-level body parser handler. */
export function sendDomainError(req: Request, res: Response, error: DomainError): void {
  const status = httpStatusOf(error.code);
  const requestId = requestIdOf(req);
  const body: ErrorBody = {
    detail: cut(error.detail, ERROR_BODY_LIMITS.detail),
    error_code: error.code,
    request_id: requestId,
  };
  if (error.code === ErrorCode.VALIDATION_ERROR) body.errors = boundedFieldErrors(error.options.errors ?? []);
  // The auth guard's 401s name their own challenge (in `headers`); any other 401 gets the generic one.
  if (error.code === ErrorCode.UNAUTHORIZED) res.setHeader('WWW-Authenticate', bearerChallenge('invalid'));
  for (const [name, value] of Object.entries(error.options.headers ?? {})) res.setHeader(name, value);
  // res.json keeps a Content-Type the handler set before failing (text/plain on /metrics, a file's type on a download).
  res.status(status).type('application/json').json(body);
}
