import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import type { Request, Response } from 'express';
import { DomainError } from './domain-error';
import { sendDomainError } from './error-response';
import { toDomainError } from './to-domain-error';

/** Every error leaves through here as the spec's error body; unexpected ones are logged, never echoed. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const known = toDomainError(exception);
    if (known?.code === ErrorCode.SERVICE_UNAVAILABLE) {
      this.logger.warn({ requestId: req.id, err: describe(exception) }, 'database unavailable');
    }
    if (!known) {
      this.logger.error({ requestId: req.id, err: describe(exception) }, 'unhandled error');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendDomainError(req, res, known ?? new DomainError(ErrorCode.INTERNAL_ERROR, 'An unexpected error occurred'));
  }
}

function describe(exception: unknown): { name?: string; message: string; stack?: string } {
  if (exception instanceof Error) return { name: exception.name, message: exception.message, stack: exception.stack };
  return { message: String(exception) };
}
