import { ErrorCode } from '@ticketing/contracts';
import type { Request, Response } from 'express';
import { bearerChallenge } from '../auth/auth-failure';
import { requestIdOf } from '../http/request-id.middleware';
import type { DomainError, FieldError } from './domain-error';
import { httpStatusOf } from './error-status';

export interface ErrorBody {
  detail: string;
  error_code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

/** Writes the spec's error body; used by the global filter and by the Express-level body parser handler. */
export function sendDomainError(req: Request, res: Response, error: DomainError): void {
  const status = httpStatusOf(error.code);
  const requestId = requestIdOf(req);
  const body: ErrorBody = { detail: error.detail, error_code: error.code, request_id: requestId };
  if (error.code === ErrorCode.VALIDATION_ERROR) body.errors = error.options.errors ?? [];
  // The auth guard's 401s name their own challenge (in `headers`); any other 401 gets the generic one.
  if (error.code === ErrorCode.UNAUTHORIZED) res.setHeader('WWW-Authenticate', bearerChallenge('invalid'));
  for (const [name, value] of Object.entries(error.options.headers ?? {})) res.setHeader(name, value);
  // res.json keeps a Content-Type the handler set before failing (text/plain on /metrics, a file's type on a download).
  res.status(status).type('application/json').json(body);
}
