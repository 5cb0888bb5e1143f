import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import { ScannerUnavailableError } from '../../modules/attachments/scanning/virus-scanner';
import { StorageUnavailableError } from '../../modules/attachments/storage/storage-driver';
import { DomainError } from './domain-error';
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
    expect(toDomainError({ code: 'ECONNREFUSED' })?.code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it('maps storage and scanner outages to 507 and 503', () => {
    expect(toDomainError(new StorageUnavailableError('disk full'))?.code).toBe(ErrorCode.INSUFFICIENT_STORAGE);
    const scan = toDomainError(new ScannerUnavailableError('clamd down'));
    expect(scan?.code).toBe(ErrorCode.SCAN_UNAVAILABLE);
    expect(scan?.options.headers).toEqual({ 'Retry-After': '30' });
  });

  it('leaves unexpected errors unmapped so they become a 500', () => {
    expect(toDomainError(new TypeError('boom'))).toBeNull();
    expect(toDomainError('boom')).toBeNull();
  });
});
