import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from '../http/request-id.middleware';

/**
 * One line per request: method, path (no query string), status, duration and request id; 5xx at error level,
 * and a request the client abandoned before the answer was sent at warn. Written by hand rather than with
 * pino-http, which builds a child logger and serializers for every request even when the line is not logged:
 * about 15% of the CPU of a trivial request.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const done = (): void => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      const aborted = !res.writableFinished;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : aborted ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const path = pathOf(req);
      const durationMs = Math.round(performance.now() - started);
      logger[level](
        {
          request_id: requestIdOf(req),
          req: { method: req.method, path },
          res: { status },
          duration_ms: durationMs,
        },
        aborted
          ? `${req.method} ${path} abandoned by the client after ${durationMs}ms`
          : `${req.method} ${path} ${status} ${durationMs}ms`,
      );
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/** Express rewrites `url` while routing; `originalUrl` is what the client asked for. */
function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
