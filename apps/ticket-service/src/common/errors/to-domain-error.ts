import { HttpException } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DependencyUnavailableError, DomainError } from './domain-error';

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

interface ErrorWithCode {
  code?: unknown;
  message?: unknown;
  type?: unknown;
  status?: unknown;
}

/** PostgreSQL errors with a meaning for the client: refused values, conflicts, cancelled queries. */
const PG_ERROR_MAP: Readonly<Record<string, DomainError>> = {
  '23505': new DomainError(ErrorCode.CONFLICT, 'A resource with the same unique value already exists'),
  '23503': new DomainError(
    ErrorCode.CONFLICT,
    'The resource is referenced by, or refers to, something that changed meanwhile',
  ),
  '22001': DomainError.validation('A value is longer than its field allows'),
  '22021': DomainError.validation('A value contains bytes that are not valid text'),
  '22P05': DomainError.validation('A value contains characters that cannot be stored'),
  '57014': new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The query took too long and was cancelled', {
    headers: { 'Retry-After': '1' },
  }),
};

/**
 * Codes that mean "no usable database connection": the session ended by the server (57P01 shutdown or
 * pg_terminate_backend, 57P02 crash of another backend, 57P03 starting or stopping, 57P04 database dropped,
 * 57P05 idle timeout), the database missing or not accepting connections (3D000, 55000), too many
 * connections (53300), sockets refused or reset.
 */
const UNAVAILABLE_CODES = ['ECONNREFUSED', 'ECONNRESET', '3D000', '55000', '53300'];

/**
 * PostgreSQL connection failures (class 08, UNAVAILABLE_CODES) and the driver's own connection errors (a client
 * whose session broke refuses further queries as "not queryable").
 */
function isDatabaseUnavailable(error: ErrorWithCode): boolean {
  if (
    typeof error.code === 'string' &&
    (error.code.startsWith('08') || error.code.startsWith('57P') || UNAVAILABLE_CODES.includes(error.code))
  ) {
    return true;
  }
  const message = typeof error.message === 'string' ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Connection is not established|is not queryable/i.test(
    message,
  );
}

/**
 * Turns any thrown value into a DomainError, or null when it is unexpected (then it is a 500).
 * Framework HTTP errors (404 for unknown routes, body parser errors) keep their status.
 */
export function toDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  if (error instanceof DependencyUnavailableError) return error.answer;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = STATUS_CODES[status];
    if (code === undefined) return null;
    return new DomainError(code, status === 404 ? 'Resource not found' : error.message);
  }
  if (typeof error === 'object' && error !== null) {
    const candidate = error as ErrorWithCode & { driverError?: ErrorWithCode };
    // body-parser errors carry a `type`; its messages are safe to show.
    if (candidate.type === 'entity.too.large') {
      return new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is larger than 1 MiB');
    }
    if (candidate.type === 'entity.parse.failed') {
      return DomainError.validation('Request body is not valid JSON');
    }
    if (typeof candidate.type === 'string' && candidate.status === 400) {
      return DomainError.validation('Request body could not be read');
    }
    if (typeof candidate.type === 'string' && candidate.status === 415) {
      return DomainError.validation('Request body encoding is not supported');
    }
    const driverError = candidate.driverError ?? candidate;
    if (typeof driverError.code === 'string' && PG_ERROR_MAP[driverError.code]) return PG_ERROR_MAP[driverError.code];
    // TypeORM's answer to a statement of a transaction whose connection broke meanwhile: the query runner let go
    // of the connection when it failed, and the error that broke it went to the connection's listener.
    const connectionLost =
      error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError;
    if (connectionLost || isDatabaseUnavailable(driverError)) {
      return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable', {
        headers: { 'Retry-After': '5' },
      });
    }
  }
  return null;
}
