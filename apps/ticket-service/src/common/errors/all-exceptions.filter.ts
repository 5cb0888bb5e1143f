import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import type { Request, Response } from 'express';
import { serializeError } from '../logging/serialize-error';
import { DomainError } from './domain-error';
import { sendDomainError } from './error-response';
import { toDomainError } from './to-domain-error';

const DEPENDENCY_OUTAGES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.SCAN_UNAVAILABLE,
  ErrorCode.INSUFFICIENT_STORAGE,
]);

/** Every error leaves through here as the spec's error body; unexpected ones are logged, never echoed. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const known = toDomainError(exception);
    // Outages of what the service depends on are answered without details; their cause goes to the log.
    if (known && DEPENDENCY_OUTAGES.has(known.code)) {
      this.logger.warn(
        { requestId: req.id, code: known.code, err: serializeError(exception) },
        'dependency unavailable',
      );
    }
    if (!known) {
      this.logger.error({ requestId: req.id, err: serializeError(exception) }, 'unhandled error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendDomainError(req, res, known ?? new DomainError(ErrorCode.INTERNAL_ERROR, 'An unexpected error occurred'));
  }
}
