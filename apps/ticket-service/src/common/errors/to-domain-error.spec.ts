import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DependencyUnavailableError, DomainError } from './domain-error';
import { httpStatusOf } from './error-status';
import { toDomainError } from './to-domain-error';

describe('error mapping', () => {
  it('maps every error code to the status of spec §2', () => {
    const expected: Record<ErrorCode, number> = {
      VALIDATION_ERROR: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      INVALID_STATUS_TRANSITION: 409,
      REOPEN_WINDOW_EXPIRED: 409,
      TICKET_CLOSED: 409,
      CONFLICT: 409,
      IDEMPOTENCY_KEY_IN_USE: 409,
      PRECONDITION_FAILED: 412,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_FILE_TYPE: 415,
      FILE_INFECTED: 422,
      IDEMPOTENCY_KEY_REUSED: 422,
      RATE_LIMITED: 429,
      INTERNAL_ERROR: 500,
      SCAN_UNAVAILABLE: 503,
      SERVICE_UNAVAILABLE: 503,
      INSUFFICIENT_STORAGE: 507,
    };
    for (const code of Object.values(ErrorCode)) expect([code, httpStatusOf(code)]).toEqual([code, expected[code]]);
  });

  it('keeps domain errors and translates framework and database errors', () => {
    const domain = DomainError.notFound('Ticket');
    expect(toDomainError(domain)).toBe(domain);
    expect(toDomainError(new NotFoundException('Cannot GET /x'))?.code).toBe(ErrorCode.NOT_FOUND);
    expect(toDomainError(new BadRequestException())?.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(toDomainError({ type: 'entity.too.large', status: 413 })?.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(toDomainError({ type: 'entity.parse.failed', status: 400 })?.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(toDomainError({ driverError: { code: '23505' } })?.code).toBe(ErrorCode.CONFLICT);
    expect(toDomainError({ driverError: { code: '22001' } })?.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(toDomainError({ code: 'ECONNREFUSED' })?.code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it('answers 503 with Retry-After when the database connection is lost, also in the middle of a transaction', () => {
    const lost = [
      { code: '57P01' }, // terminated (pg_terminate_backend, fast shutdown)
      { code: '57P02' }, // another backend crashed
      { code: '57P03' }, // starting up or shutting down
      { driverError: { code: '08006' } },
      new Error('Connection terminated unexpectedly'),
      { driverError: new Error('Client has encountered a connection error and is not queryable') },
      new QueryRunnerAlreadyReleasedError(),
      new QueryRunnerProviderAlreadyReleasedError(),
    ];
    for (const error of lost) {
      const mapped = toDomainError(error);
      expect([error, mapped?.code, mapped?.options.headers?.['Retry-After']]).toEqual([
        error,
        'SERVICE_UNAVAILABLE',
        '5',
      ]);
    }
  });

  it('answers a dependency outage with its own answer, never its message', () => {
    class StoreDown extends DependencyUnavailableError {
      readonly answer = new DomainError(ErrorCode.INSUFFICIENT_STORAGE, 'The store is failing');
    }
    const mapped = toDomainError(new StoreDown('/var/lib/store: ENOSPC'));
    expect(mapped?.code).toBe(ErrorCode.INSUFFICIENT_STORAGE);
    expect(mapped?.detail).toBe('The store is failing');
  });

  it('leaves unexpected errors unmapped so they become a 500', () => {
    expect(toDomainError(new TypeError('boom'))).toBeNull();
    expect(toDomainError('boom')).toBeNull();
  });
});
