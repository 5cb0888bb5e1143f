import { type CanActivate, type ExecutionContext, Injectable, Module, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, type FieldError } from '../errors/domain-error';

const MULTIPART_ROUTE = 'multipartRoute';

/** Marks a handler that takes `multipart/form-data` instead of JSON. */
export const AcceptsMultipart = (): MethodDecorator => SetMetadata(MULTIPART_ROUTE, true);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Whether the handler reads a JSON body (declares a @Body() parameter). */
function readsBody(context: ExecutionContext): boolean {
  const args: object =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) as object | undefined) ??
    {};
  return Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`));
}

/** What is wrong with a JSON body sent to an endpoint that takes none: each property is unknown (`{}` is fine). */
function unexpectedBodyErrors(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ field: 'body', message: 'this endpoint takes no request body' }];
  }
  return Object.keys(body).map((key) => ({ field: key, message: `property ${key} should not exist` }));
}

/**
 * A JSON endpoint called with a body of another content type is a 400 (spec §2), and so is a body with properties
 * sent to an endpoint that takes none (a redelivery, a DELETE): unknown properties are refused, never dropped.
 * A guard rather than an interceptor, so that a route without interceptors of its own (the reads) stays off
 * Nest's rxjs path; it runs after JwtAuthGuard (HttpConventionsModule comes after AuthModule), so a caller without
 * a valid token hears 401 whatever it sent.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (hasBody(req)) {
      const multipart = this.reflector.get<boolean | undefined>(MULTIPART_ROUTE, context.getHandler()) === true;
      const expected = multipart ? 'multipart/form-data' : 'json';
      if (!req.is(expected)) {
        throw DomainError.validation(`Content-Type must be ${multipart ? 'multipart/form-data' : 'application/json'}`, [
          { field: 'Content-Type', message: `expected ${multipart ? 'multipart/form-data' : 'application/json'}` },
        ]);
      }
      const unexpected = multipart || readsBody(context) ? [] : unexpectedBodyErrors(req.body);
      if (unexpected.length > 0) throw DomainError.validation('This endpoint takes no request body', unexpected);
    }
    return true;
  }
}

/** The request conventions every route keeps; imported after AuthModule, whose guard must run first. */
@Module({ providers: [{ provide: APP_GUARD, useClass: ContentTypeGuard }] })
export class HttpConventionsModule {}
