import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ErrorCode, type Role } from '@ticketing/contracts';
import { DomainError } from '../errors/domain-error';
import { RequestContext } from '../context/request-context';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { Principal } from './principal';

/** Deny by default: every route needs a valid access token unless marked @Public(); @Auth(roles) narrows roles. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
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
    if (roles.length > 0 && !roles.includes(principal.role)) throw DomainError.forbidden();
    return true;
  }

  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false): TUser {
    if (error instanceof DomainError) throw error;
    if (error || !user) throw new DomainError(ErrorCode.UNAUTHORIZED, 'Missing or invalid access token');
    return user;
  }
}
