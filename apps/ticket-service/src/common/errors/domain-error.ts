import { ErrorCode } from '@ticketing/contracts';

export interface FieldError {
  field: string;
  message: string;
}

export interface DomainErrorOptions {
  /** Field-level problems; only for VALIDATION_ERROR. */
  errors?: FieldError[];
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
}

/** The one error type services throw; the global filter turns it into the spec's error body. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NOT_FOUND, `${what} not found`);
  }

  static forbidden(detail = 'You are not allowed to perform this action'): DomainError {
    return new DomainError(ErrorCode.FORBIDDEN, detail);
  }

  static validation(detail: string, errors: FieldError[] = []): DomainError {
    return new DomainError(ErrorCode.VALIDATION_ERROR, detail, { errors });
  }
}

/**
 * Something the service depends on (the attachment store, the virus scanner) failed. The client gets
 * `answer`; the message and the cause, which may name hosts and paths, only reach the log.
 */
export abstract class DependencyUnavailableError extends Error {
  abstract readonly answer: DomainError;
}
