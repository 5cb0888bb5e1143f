import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import passport from 'passport';
import { type AccessTokenVerifier, onVerdict, readBearerToken } from './access-token';
import { ACCESS_TOKEN_VERIFIER } from './access-token-verifier';
import { AccessTokenRefused } from './auth-failure';

/**
 * The passport strategy behind JwtAuthGuard: the principal of the request's bearer token, checked by the configured
 * verifier (the rate limiter's too, so a request's token is verified once), or an AccessTokenRefused saying why not.
 */
@Injectable()
export class JwtStrategy extends passport.Strategy {
  override name = 'jwt';

  constructor(@Inject(ACCESS_TOKEN_VERIFIER) private readonly verify: AccessTokenVerifier) {
    super();
    passport.use(this.name, this);
  }

  override authenticate(req: Request): void {
    // Passport calls this on an object it equips with success() and error().
    const outcome = this as unknown as passport.StrategyCreatedStatic;
    const read = readBearerToken(req.headers.authorization);
    if ('failure' in read) {
      outcome.error(new AccessTokenRefused(read.failure));
      return;
    }
    const settled = onVerdict(this.verify(read.token), (verdict) => {
      if ('kind' in verdict) outcome.error(new AccessTokenRefused(verdict));
      else outcome.success(verdict);
    });
    if (settled instanceof Promise) settled.catch((error: unknown) => outcome.error(error as Error));
  }
}
