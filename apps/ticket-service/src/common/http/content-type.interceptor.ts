import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error';

const MULTIPART_ROUTE = 'multipartRoute';

/** Marks a handler that takes `multipart/form-data` instead of JSON. */
export const AcceptsMultipart = (): MethodDecorator => SetMetadata(MULTIPART_ROUTE, true);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A JSON endpoint called with a body of another content type is a 400 (spec §2). */
@Injectable()
export class ContentTypeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    if (hasBody(req)) {
      const multipart = this.reflector.get<boolean | undefined>(MULTIPART_ROUTE, context.getHandler()) === true;
      const expected = multipart ? 'multipart/form-data' : 'json';
      if (!req.is(expected)) {
        throw DomainError.validation(`Content-Type must be ${multipart ? 'multipart/form-data' : 'application/json'}`, [
          { field: 'Content-Type', message: `expected ${multipart ? 'multipart/form-data' : 'application/json'}` },
        ]);
      }
    }
    return next.handle();
  }
}
