import { type CryptoKey, errors, jwtVerify, type JWTVerifyOptions, SignJWT } from 'jose';
import type { AsymmetricJwtAlgorithm, AuthSettings } from '../../config/app-config';
import { type AccessTokenVerdict, accessTokenClaims, type MintOptions, principalFromClaims } from './access-token';
import type { AuthFailure } from './auth-failure';
import type { JwksKeySet } from './jwks-key-set';

/** Settings that verify with the auth service's public keys. */
export type JwksAuthSettings = Exclude<AuthSettings, { jwks: null }>;

/**
 * The verifier of tokens signed with the auth service's private keys: jose checks the signature (only with the
 * configured algorithm: an HS256 token "signed" with a public key, or `none`, is refused before any key is looked
 * up), issuer, audience and expiry; then principalFromClaims, as for HMAC tokens.
 */
export function jwksAccessTokenVerifier(
  auth: JwksAuthSettings,
  keys: JwksKeySet,
): (token: string) => Promise<AccessTokenVerdict> {
  const options: JWTVerifyOptions = {
    algorithms: [auth.algorithm],
    clockTolerance: auth.clockSkewSeconds,
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys.getKey, options);
      return principalFromClaims(payload, Math.floor(Date.now() / 1000), auth.clockSkewSeconds);
    } catch (error) {
      return refusalOf(error);
    }
  };
}

/**
 * Whatever stops verification is a refusal, never a fault: besides jose's verdicts, a key the auth service publishes
 * that WebCrypto cannot import, or no key set at all (JwksUnavailable), must answer 401, not 500.
 */
function refusalOf(error: unknown): AuthFailure {
  if (error instanceof errors.JWTExpired) return { kind: 'expired', reason: 'token has expired' };
  return { kind: 'invalid', reason: error instanceof Error ? error.message : 'token could not be verified' };
}

/** A private key and the `kid` its public half is published under. */
export interface SigningKey {
  privateKey: CryptoKey;
  kid: string;
}

/** Signs an access token as the auth service would: the development token command and the tests use it. */
export function signAccessToken(
  auth: { algorithm: AsymmetricJwtAlgorithm; issuer: string | null; audience: string | null },
  key: SigningKey,
  options: MintOptions,
): Promise<string> {
  const token = new SignJWT(accessTokenClaims(options))
    .setProtectedHeader({ alg: auth.algorithm, kid: key.kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600));
  if (auth.issuer) token.setIssuer(auth.issuer);
  if (auth.audience) token.setAudience(auth.audience);
  return token.sign(key.privateKey);
}
