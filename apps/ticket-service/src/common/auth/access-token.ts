import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Role } from '@ticketing/contracts';
import type { AppConfig } from '../../config/app-config';
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

/**
 * The claim checks jsonwebtoken does not make: a required `exp`, no `iat` in the future,
 * `type` = access, a known role and a UUID subject. Returns the reason for a rejection, or the principal.
 */
export function principalFromClaims(
  claims: AccessTokenClaims,
  nowSeconds: number,
  skewSeconds: number,
): Principal | string {
  if (typeof claims.exp !== 'number') return 'token has no expiry';
  if (claims.exp + skewSeconds <= nowSeconds) return 'token has expired';
  if (typeof claims.iat === 'number' && claims.iat - skewSeconds > nowSeconds) return 'token was issued in the future';
  if (claims.type !== 'access') return 'not an access token';
  if (typeof claims.role !== 'string' || !Object.values<string>(Role).includes(claims.role)) return 'unknown role';
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return 'subject is not a UUID';
  return {
    id: claims.sub.toLowerCase(),
    role: claims.role as Role,
    username: typeof claims.username === 'string' ? claims.username : null,
    email: typeof claims.email === 'string' ? claims.email : null,
  };
}

export interface MintOptions {
  role: Role;
  sub?: string;
  ttlSeconds?: number;
  username?: string;
  email?: string;
}

/** Signs an access token with the configured secret: the development token command and the tests use it. */
export function mintAccessToken(auth: AppConfig['auth'], options: MintOptions): string {
  const claims = {
    sub: options.sub ?? randomUUID(),
    username: options.username ?? options.role.toLowerCase(),
    email: options.email ?? `${options.role.toLowerCase()}@example.com`,
    role: options.role,
    type: 'access',
    jti: randomUUID(),
  };
  return jwt.sign(claims, auth.secret, {
    algorithm: auth.algorithm,
    expiresIn: options.ttlSeconds ?? 3600,
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  });
}
