import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestIdMiddleware before anything else runs. */
    id?: string;
  }
}

export const REQUEST_ID_HEADER = 'X-Request-ID';
/** Node keys incoming headers in lower case; a repeated header arrives joined with ", " and fails the pattern. */
const REQUEST_ID_HEADER_LOWER_CASE = 'x-request-id';

/** Printable ASCII without spaces, bounded: anything else from the caller is replaced, never echoed. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The id this request got from requestIdMiddleware. */
export function requestIdOf(req: Request): string {
  return typeof req.id === 'string' ? req.id : '';
}

/** Takes the caller's request id when it is sane, otherwise makes one, and echoes it on every response. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const offered = req.headers[REQUEST_ID_HEADER_LOWER_CASE];
  const id = typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
