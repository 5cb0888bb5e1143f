import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { type AccessTokenClaims, principalFromClaims, readBearerToken } from './access-token';
import { AccessTokenRefused } from './auth-failure';
import type { Principal } from './principal';
import { VerifiedTokens } from './verified-tokens';

/** The token to verify; null (passport-jwt's "no token") when the header is absent or malformed. */
function bearerTokenOf(req: Request): string | null {
  const read = readBearerToken(req.headers.authorization);
  return 'token' in read ? read.token : null;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly skewSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly verifiedTokens: VerifiedTokens,
  ) {
    const { auth } = config;
    // algorithms/issuer/audience must be top-level options: inside jsonWebTokenOptions passport-jwt overwrites them.
    super({
      jwtFromRequest: bearerTokenOf,
      // A KeyObject: given a string, jsonwebtoken first tries (and fails) createPublicKey() on every request,
      // which costs ~0.7 ms of CPU per call instead of ~0.03 ms. The typings only know string | Buffer.
      secretOrKey: createSecretKey(Buffer.from(auth.secret, 'utf8')) as unknown as Buffer,
      algorithms: [auth.algorithm],
      ignoreExpiration: false,
      ...(auth.issuer ? { issuer: auth.issuer } : {}),
      ...(auth.audience ? { audience: auth.audience } : {}),
      jsonWebTokenOptions: { clockTolerance: auth.clockSkewSeconds },
      passReqToCallback: true,
    });
    this.skewSeconds = auth.clockSkewSeconds;
  }

  /** A token this instance verified before (VerifiedTokens) is accepted as it was; others go to passport-jwt. */
  override authenticate(req: Request, options?: object): void {
    const token = bearerTokenOf(req);
    const known = token === null ? undefined : this.verifiedTokens.get(token);
    if (known !== undefined) {
      this.success(known);
      return;
    }
    super.authenticate(req, options);
  }

  validate(req: Request, claims: AccessTokenClaims): Principal {
    const result = principalFromClaims(claims, Math.floor(Date.now() / 1000), this.skewSeconds);
    if ('kind' in result) throw new AccessTokenRefused(result);
    const token = bearerTokenOf(req);
    // principalFromClaims accepts no token without a numeric exp.
    if (token !== null) this.verifiedTokens.remember(token, result, claims.exp as number);
    return result;
  }
}
