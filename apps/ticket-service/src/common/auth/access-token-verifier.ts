import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import type { Clock } from '../clock';
import { serializeError } from '../logging/serialize-error';
import { type AccessTokenVerifier, hmacAccessTokenVerifier } from './access-token';
import { jwksAccessTokenVerifier } from './jwks-access-token';
import { fetchJwks, JwksKeySet } from './jwks-key-set';
import type { VerifiedTokens } from './verified-tokens';

/** The one verifier of access tokens, shared by the guard's strategy and the rate limiter. */
export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');

/**
 * The verifier JWT_ALGORITHM selects, answering from VerifiedTokens for tokens seen before: with the shared secret
 * (HS*), or against the auth service's JWKS (RS256, ES256, EdDSA), whose key set lives as long as the application.
 */
export function configuredAccessTokenVerifier(
  config: AppConfig,
  verifiedTokens: VerifiedTokens,
  clock: Clock,
): AccessTokenVerifier {
  const { auth } = config;
  if (auth.jwks === null) return verifiedTokens.cached(hmacAccessTokenVerifier(auth));
  const { url, timeoutMs, maxAgeMs, cooldownMs } = auth.jwks;
  const logger = new Logger('Auth');
  const keys = new JwksKeySet({
    maxAgeMs,
    cooldownMs,
    load: () => fetchJwks(url, timeoutMs),
    now: () => clock.now().getTime(),
    onKeysRemoved: () => {
      verifiedTokens.clear();
      logger.log({ jwksUrl: url }, 'JWKS no longer has a key it had: tokens verified before are verified again');
    },
    onFetchFailed: (error, keptStale) => {
      logger.warn(
        { err: serializeError(error), jwksUrl: url, keptStale },
        keptStale
          ? 'JWKS fetch failed: using the key set fetched before'
          : 'JWKS fetch failed: no key set, tokens refused',
      );
    },
  });
  return verifiedTokens.cached(jwksAccessTokenVerifier(auth, keys));
}
