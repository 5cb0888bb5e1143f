import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { DomainError } from '../errors/domain-error';
import { sendDomainError } from '../errors/error-response';
import { toDomainError } from '../errors/to-domain-error';
import { ErrorCode } from '@ticketing/contracts';

export const JSON_BODY_LIMIT = '1mb';

/** The JSON body parser: 1 MiB limit, strict (objects and arrays only). */
export function jsonBodyParser(): RequestHandler {
  return express.json({ limit: JSON_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] });
}

/**
 * Body parser failures happen before Nest routes run, so Nest's filters never see them;
 * this handler gives them the same error body.
 */
export const bodyParserErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  sendDomainError(
    req,
    res,
    toDomainError(error) ??
      new DomainError(ErrorCode.VALIDATION_ERROR, 'Request body could not be read', { errors: [] }),
  );
};
