import { ErrorCode } from '@ticketing/contracts';
import type { RequestHandler } from 'express';
import { DomainError } from '../errors/domain-error';
import { sendDomainError } from '../errors/error-response';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows per client address, kept in this instance's memory (so N instances allow N times
 * the limit). Every API response says where the caller stands (RateLimit-* headers); over the limit is 429
 * with Retry-After.
 */
export function rateLimiter(perMinute: number, now: () => number = Date.now): RequestHandler {
  let window = -1;
  const counts = new Map<string, number>();
  return (req, res, next) => {
    const current = Math.floor(now() / WINDOW_MS);
    if (current !== window) {
      window = current;
      counts.clear();
    }
    const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const used = (counts.get(key) ?? 0) + 1;
    counts.set(key, used);
    const resetSeconds = Math.max(1, Math.ceil(((current + 1) * WINDOW_MS - now()) / 1000));
    res.setHeader('RateLimit-Limit', String(perMinute));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, perMinute - used)));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (used > perMinute) {
      sendDomainError(
        req,
        res,
        new DomainError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${resetSeconds} s`, {
          headers: { 'Retry-After': String(resetSeconds) },
        }),
      );
      return;
    }
    next();
  };
}
