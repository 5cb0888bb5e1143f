import { ErrorCode } from '@ticketing/contracts';

/** The single mapping from error codes to HTTP statuses (spec §2). */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_ERROR:
      return 400;
    case ErrorCode.UNAUTHORIZED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.INVALID_STATUS_TRANSITION:
    case ErrorCode.REOPEN_WINDOW_EXPIRED:
    case ErrorCode.TICKET_CLOSED:
    case ErrorCode.CONFLICT:
    case ErrorCode.IDEMPOTENCY_KEY_IN_USE:
      return 409;
    case ErrorCode.PRECONDITION_FAILED:
      return 412;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.UNSUPPORTED_FILE_TYPE:
      return 415;
    case ErrorCode.FILE_INFECTED:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
      return 422;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.INTERNAL_ERROR:
      return 500;
    case ErrorCode.SCAN_UNAVAILABLE:
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 503;
    case ErrorCode.INSUFFICIENT_STORAGE:
      return 507;
  }
}
