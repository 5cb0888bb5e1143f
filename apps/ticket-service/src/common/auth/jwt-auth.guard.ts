import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Role } from '@ticketing/contracts';
import type { Request } from 'express';
import { JsonWebTokenError, TokenExpiredError } from 'jsonwebtoken';
import { require403 } from '../access/access-gate';
import { AccessPolicy } from '../access/access-policy';
import { RequestContext } from '../context/request-context';
import { requestIdOf } from '../http/request-id.middleware';
import { readBearerToken } from './access-token';
import { AccessTokenRefused, type AuthFailure, unauthorized } from './auth-failure';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { Principal } from './principal';

/**
 * What passport reports for a request without a principal: the strategy's refusal, jsonwebtoken's verdict,
 * or (no token extracted) whatever is wrong with the Authorization header.
 */
function authFailureOf(refusal: unknown, authorization: string | undefined): AuthFailure {
  if (refusal instanceof AccessTokenRefused) return refusal.failure;
  if (refusal instanceof TokenExpiredError) return { kind: 'expired', reason: 'token has expired' };
  if (refusal instanceof JsonWebTokenError) return { kind: 'invalid', reason: refusal.message };
  const read = readBearerToken(authorization);
  return 'failure' in read ? read.failure : { kind: 'invalid', reason: 'token could not be verified' };
}

/** Deny by default: every route needs a valid access token unless marked @Public(); @Auth(roles) narrows roles. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly requestContext: RequestContext,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    this.requestContext.setActor(principal);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    require403(AccessPolicy.refuseRole(principal, roles));
    return true;
  }

  /** The answer says only missing / expired / invalid; the log says which check failed. */
  override handleRequest<TUser = Principal>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (user && !error) return user;
    // The strategy throws nothing but refusals: anything else is a fault, not a bad token.
    if (error instanceof Error && !(error instanceof AccessTokenRefused)) throw error;
    const req = context.switchToHttp().getRequest<Request>();
    const failure = authFailureOf(error ?? info, req.headers.authorization);
    this.logger.log({ requestId: requestIdOf(req), auth: failure }, 'request not authenticated');
    throw unauthorized(failure);
  }
}
