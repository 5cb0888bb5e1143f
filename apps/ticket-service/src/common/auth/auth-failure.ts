import { ErrorCode } from '@ticketing/contracts';
import { DomainError } from '../errors/domain-error';

/**
 * Why a request is not authenticated. `missing`: no bearer credentials at all (no header, another scheme);
 * `expired`: a genuine token past its `exp`; `invalid`: anything else. `reason` names the failed check for the
 * log only: the client learns no more than the kind.
 */
export interface AuthFailure {
  kind: 'missing' | 'expired' | 'invalid';
  reason: string;
}

export const AUTH_REALM = 'ticket-service';

/**
 * The RFC 6750 §3 challenge of each kind: no error code when no credentials were sent (§3.1), otherwise
 * `invalid_token` with a description that says "expired" or nothing more specific than "invalid".
 */
const ANSWERS: Readonly<Record<AuthFailure['kind'], { detail: string; challenge: string }>> = {
  missing: { detail: 'Missing access token', challenge: `Bearer realm="${AUTH_REALM}"` },
  expired: {
    detail: 'Access token expired',
    challenge: `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="token expired"`,
  },
  invalid: {
    detail: 'Invalid access token',
    challenge: `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="invalid token"`,
  },
};

/** The `WWW-Authenticate` value of a 401 of this kind. */
export function bearerChallenge(kind: AuthFailure['kind']): string {
  return ANSWERS[kind].challenge;
}

/** The 401 answer of a failure: the spec's error body and the matching challenge. */
export function unauthorized(failure: AuthFailure): DomainError {
  const { detail, challenge } = ANSWERS[failure.kind];
  return new DomainError(ErrorCode.UNAUTHORIZED, detail, { headers: { 'WWW-Authenticate': challenge } });
}

/** Thrown by the token strategy for a verified token whose claims this service refuses. */
export class AccessTokenRefused extends Error {
  constructor(readonly failure: AuthFailure) {
    super(failure.reason);
    this.name = 'AccessTokenRefused';
  }
}
