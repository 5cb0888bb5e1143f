import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { DomainError } from '../errors/domain-error';
import { sendDomainError } from '../errors/error-response';
import { toDomainError } from '../errors/to-domain-error';
import { ErrorCode } from '@ticketing/contracts';

export const JSON_BODY_LIMIT = '1mb';

/**
 * The deepest nesting a JSON body may have. No body of this API nests more than three levels; the bound
 * keeps the recursive code after the parser (class-transformer, class-validator, JSON.stringify of the
 * idempotency fingerprint) far from the stack limit, which ~10,000 levels overflow.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * A lone UTF-16 surrogate (JSON's `"\ud800"`) is not text: PostgreSQL refuses it inside jsonb (history metadata,
 * event data) where text columns would silently store U+FFFD instead.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What is wrong with a parsed JSON body, if anything: nesting deeper than `maxDepth` (`1` is depth 0, `{"a": 1}`
 * and `[]` are 1, `[[]]` is 2), or a key or string that is not well-formed Unicode. Walks with an explicit
 * stack, so the check itself cannot overflow.
 */
export function jsonBodyProblem(body: unknown, maxDepth: number): DomainError | null {
  const malformed = (field: string) =>
    DomainError.validation('Request body contains text that is not well-formed Unicode', [
      { field, message: 'contains a lone UTF-16 surrogate' },
    ]);
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) return malformed(path || 'body');
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return DomainError.validation(`Request body is nested deeper than ${maxDepth} levels`);
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) return malformed(childPath);
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * The JSON body parser: 1 MiB limit, strict (objects and arrays only), at most MAX_JSON_DEPTH levels deep,
 * well-formed text only. JSON.parse itself does not recurse; the body is checked right after it, before
 * anything that does.
 */
export function jsonBodyParser(): RequestHandler {
  const parse = express.json({
    limit: JSON_BODY_LIMIT,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      next(error ?? jsonBodyProblem(req.body, MAX_JSON_DEPTH) ?? undefined);
    });
  };
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
