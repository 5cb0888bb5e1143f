import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Role } from '@ticketing/contracts';
import type { Request } from 'express';
import { require403 } from '../access/access-gate';
import { AccessPolicy } from '../access/access-policy';
import { RequestContext } from '../context/request-context';
import { requestIdOf } from '../http/request-id.middleware';
import { AccessTokenRefused, unauthorized } from './auth-failure';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { Principal } from './principal';
import { VerifiedTokens } from './verified-tokens';

/** Deny by default: every route needs a valid access token unless marked @Public(); @Auth(roles) narrows roles. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly requestContext: RequestContext,
    private readonly verifiedTokens: VerifiedTokens,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    // A token this instance has verified before needs no round through passport, whose strategy would answer
    // from the same VerifiedTokens entry: the round cost about 5% of an authenticated read's CPU.
    const known = this.verifiedTokens.fromAuthorizationHeader(req.headers.authorization);
    if (known === undefined) await super.canActivate(context);
    else req.user = known;
    const principal = req.user as Principal;
    this.requestContext.setActor(principal);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    require403(AccessPolicy.refuseRole(principal, roles));
    return true;
  }

  /** The answer says only missing / expired / invalid; the log says which check failed. */
  override handleRequest<TUser = Principal>(
    error: unknown,
    user: TUser | false,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (user && !error) return user;
    // The strategy reports nothing but refusals: anything else is a fault, not a bad token.
    if (!(error instanceof AccessTokenRefused)) {
      throw error instanceof Error ? error : new Error('the token strategy gave neither a principal nor a refusal');
    }
    const req = context.switchToHttp().getRequest<Request>();
    const { failure } = error;
    this.logger.log({ requestId: requestIdOf(req), auth: failure }, 'request not authenticated');
    throw unauthorized(failure);
  }
}
