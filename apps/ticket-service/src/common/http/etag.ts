import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { MAX_IF_MATCH_LENGTH } from './api-responses';

/** Sets a strong `ETag: "<version>"` from a response body's version; returns the body. */
export function withVersionETag<Body>(res: Response, body: Body): Body {
  const version = (body as { version?: unknown } | null)?.version;
  if (typeof version === 'number') res.setHeader('ETag', `"${version}"`);
  return body;
}

/**
 * withVersionETag for routes that have interceptors anyway (the changes, with Idempotency-Key). The reads call
 * withVersionETag themselves: a route without interceptors stays off Nest's rxjs path, ~15% of a read's CPU.
 */
@Injectable()
export class VersionETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(map((body: unknown) => withVersionETag(res, body)));
  }
}

/**
 * Parses `If-Match` into the expected version: null when absent or `*`; a version that never matches
 * (-1) for weak or malformed tags, since If-Match uses the strong comparison.
 */
export function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined || header.trim() === '*') return null;
  if (header.length > MAX_IF_MATCH_LENGTH) return -1;
  const tags = header.split(',').map((tag) => tag.trim());
  for (const tag of tags) {
    const match = /^"(\d{1,9})"$/.exec(tag);
    if (match) return Number(match[1]);
  }
  return -1;
}

export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): number | null =>
  parseIfMatch(context.switchToHttp().getRequest<Request>().header('If-Match')),
);
