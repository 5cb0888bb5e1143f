import { createSecretKey, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Role } from '@ticketing/contracts';
import type { AppConfig } from '../../config/app-config';
import type { AuthFailure } from './auth-failure';
import type { Principal } from './principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessTokenClaims {
  sub?: unknown;
  username?: unknown;
  email?: unknown;
  role?: unknown;
  type?: unknown;
  exp?: unknown;
  iat?: unknown;
}

/** RFC 6750 §2.1 / RFC 7235 §2.1: `Bearer 1*SP b64token`; the scheme is case-insensitive, the token one word. */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an `Authorization` header, or why there is none to verify: no header or another scheme is
 * `missing`; a Bearer header that is not exactly one token, or a token whose claims are not a JSON object
 * (RFC 7519 §7.2; jsonwebtoken fails with a TypeError on a signed `null`), is `invalid`.
 */
export function readBearerToken(header: string | undefined): { token: string } | { failure: AuthFailure } {
  if (header === undefined) return { failure: { kind: 'missing', reason: 'no Authorization header' } };
  const scheme = header.split(/\s/, 1)[0];
  if (scheme.toLowerCase() !== 'bearer') return { failure: { kind: 'missing', reason: 'not the Bearer scheme' } };
  const token = BEARER_CREDENTIALS.exec(header)?.[1];
  if (token === undefined) {
    return { failure: { kind: 'invalid', reason: 'Authorization header is not "Bearer <one token>"' } };
  }
  if (!hasClaimsObject(token)) return { failure: { kind: 'invalid', reason: 'token claims are not a JSON object' } };
  return { token };
}

/** Whether the payload of a JWS compact token decodes to a JSON object (not null, an array or a scalar). */
function hasClaimsObject(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims);
  } catch {
    return false;
  }
}

/**
 * The claim checks jsonwebtoken does not make: a required `exp`, no `iat` in the future,
 * `type` = access, a known role and a UUID subject. Returns the principal, or why the token is refused.
 */
export function principalFromClaims(
  claims: AccessTokenClaims,
  nowSeconds: number,
  skewSeconds: number,
): Principal | AuthFailure {
  const invalid = (reason: string): AuthFailure => ({ kind: 'invalid', reason });
  if (typeof claims.exp !== 'number') return invalid('token has no expiry');
  if (claims.exp + skewSeconds <= nowSeconds) return { kind: 'expired', reason: 'token has expired' };
  if (typeof claims.iat === 'number' && claims.iat - skewSeconds > nowSeconds) {
    return invalid('token was issued in the future');
  }
  if (claims.type !== 'access') return invalid('not an access token');
  if (typeof claims.role !== 'string' || !Object.values<string>(Role).includes(claims.role)) {
    return invalid('unknown role');
  }
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return invalid('subject is not a UUID');
  return {
    id: claims.sub.toLowerCase(),
    role: claims.role as Role,
    username: typeof claims.username === 'string' ? claims.username : null,
    email: typeof claims.email === 'string' ? claims.email : null,
  };
}

/** The principal of a valid access token, or why it is not one. */
export type AccessTokenVerdict = Principal | AuthFailure;

/**
 * Checks a token: signature with the configured algorithm and key, issuer, audience and expiry, then
 * principalFromClaims. Synchronous with a shared secret (the hot path pays no promise); a promise when keys may have
 * to be fetched (JWKS).
 */
export type AccessTokenVerifier = (token: string) => AccessTokenVerdict | Promise<AccessTokenVerdict>;

/** `then` for a verdict that may or may not be a promise, so a synchronous verifier stays synchronous. */
export function onVerdict<T>(
  verdict: AccessTokenVerdict | Promise<AccessTokenVerdict>,
  use: (verdict: AccessTokenVerdict) => T,
): T | Promise<T> {
  return verdict instanceof Promise ? verdict.then(use) : use(verdict);
}

/** Settings that verify with the shared secret (JWT_SECRET_KEY). */
export type HmacAuthSettings = Extract<AppConfig['auth'], { jwks: null }>;

/** The verifier of tokens signed with the shared secret (JWT_SECRET_KEY, HS256/HS384/HS512). */
export function hmacAccessTokenVerifier(auth: HmacAuthSettings): (token: string) => AccessTokenVerdict {
  // A KeyObject: given a string, jsonwebtoken tries (and fails) createPublicKey() first on every call.
  const key = createSecretKey(Buffer.from(auth.secret, 'utf8'));
  const options: jwt.VerifyOptions = {
    algorithms: [auth.algorithm],
    clockTolerance: auth.clockSkewSeconds,
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  };
  return (token) => {
    let claims: unknown;
    try {
      claims = jwt.verify(token, key, options);
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) return { kind: 'expired', reason: 'token has expired' };
      return { kind: 'invalid', reason: error instanceof Error ? error.message : 'token could not be verified' };
    }
    if (typeof claims !== 'object' || claims === null) {
      return { kind: 'invalid', reason: 'token claims are not a JSON object' };
    }
    return principalFromClaims(claims, Math.floor(Date.now() / 1000), auth.clockSkewSeconds);
  };
}

export interface MintOptions {
  role: Role;
  sub?: string;
  ttlSeconds?: number;
  username?: string;
  email?: string;
}

/** The claims of an access token the service accepts (no `exp`/`iat`: the signer adds them). */
export function accessTokenClaims(options: MintOptions): Record<string, string> {
  return {
    sub: options.sub ?? randomUUID(),
    username: options.username ?? options.role.toLowerCase(),
    email: options.email ?? `${options.role.toLowerCase()}@example.com`,
    role: options.role,
    type: 'access',
    jti: randomUUID(),
  };
}

/** Signs an access token with the configured secret: the development token command and the tests use it. */
export function mintAccessToken(auth: AppConfig['auth'], options: MintOptions): string {
  if (auth.jwks !== null) {
    throw new Error(
      `JWT_ALGORITHM=${auth.algorithm} signs with a private key, not JWT_SECRET_KEY: use signAccessToken (npm run token -- --key)`,
    );
  }
  return jwt.sign(accessTokenClaims(options), auth.secret, {
    algorithm: auth.algorithm,
    expiresIn: options.ttlSeconds ?? 3600,
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  });
}
