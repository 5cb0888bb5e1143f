import { createHash } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ErrorCode } from '@ticketing/contracts';
import type { Request, Response } from 'express';
import { catchError, from, lastValueFrom, mergeMap, type Observable, of, throwError } from 'rxjs';
import type { Principal } from '../auth/principal';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../http/api-responses';
import { DomainError } from '../errors/domain-error';
import { type IdempotencyScope, IdempotencyStore } from './idempotency-store';

const COMPLETES_OUTSIDE_TRANSACTION = 'idempotency:completes-outside-transaction';

/**
 * For a handler that works outside the database before its own transaction (an upload is scanned and stored
 * first): the key is completed after the handler, in a statement of its own, so no connection is held meanwhile.
 */
export const IdempotencyCompletedAfterHandler = () => SetMetadata(COMPLETES_OUTSIDE_TRANSACTION, true);

/**
 * Honours `Idempotency-Key` on a create endpoint: same key and body → the first response again.
 *
 * The claim commits on its own, so a concurrent retry sees it at once (409). The handler's writes and the
 * key's completion then commit together: a crash can never leave a created resource behind a key that a retry
 * would take over and create again. Unless the handler is marked IdempotencyCompletedAfterHandler.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request & { user: Principal }>();
    const key = req.header('Idempotency-Key');
    if (key === undefined) return next.handle();
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw DomainError.validation('Idempotency-Key must be 1–255 characters', [
        { field: 'Idempotency-Key', message: 'must be 1–255 characters' },
      ]);
    }
    const scope: IdempotencyScope = {
      userId: req.user.id,
      route: `${req.method} ${req.originalUrl.split('?')[0]}`,
      key,
    };
    const requestHash = createHash('sha256')
      .update(JSON.stringify(req.body ?? null))
      .digest('hex');
    const claim = await this.store.claim(scope, requestHash);
    switch (claim.kind) {
      case 'mismatch':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was used with a different request body',
        );
      case 'in_progress':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_IN_USE,
          'A request with this Idempotency-Key is still running',
          { headers: { 'Retry-After': '1' } },
        );
      case 'replay':
        context.switchToHttp().getResponse<Response>().setHeader('Idempotent-Replayed', 'true');
        return of(claim.body);
      case 'claimed': {
        const status =
          this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
        const handled = this.reflector.get<boolean | undefined>(COMPLETES_OUTSIDE_TRANSACTION, context.getHandler())
          ? next.handle().pipe(mergeMap((body: unknown) => from(this.complete(scope, status, body))))
          : from(
              // next.handle() binds the handler to the async context it is called in: inside the transaction.
              this.txHost.withTransaction(async () => this.complete(scope, status, await lastValueFrom(next.handle()))),
            );
        return handled.pipe(
          catchError((error: unknown) => from(this.store.release(scope)).pipe(mergeMap(() => throwError(() => error)))),
        );
      }
    }
  }

  private async complete(scope: IdempotencyScope, status: number, body: unknown): Promise<unknown> {
    await this.store.complete(scope, status, body);
    return body;
  }
}
