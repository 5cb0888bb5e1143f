import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from '@ticketing/contracts';
import type { Request } from 'express';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { AUTH_REALM } from './auth-failure';
import type { Principal } from './principal';

export const IS_PUBLIC = 'isPublic';
export const REQUIRED_ROLES = 'requiredRoles';
export const BEARER_SCHEME = 'bearer';

/** Opts a route out of the global authentication guard. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Requires a valid access token and, when roles are given, one of those roles;
 * documents the bearer security and the 401/403 answers in OpenAPI at the same time.
 */
export function Auth(...roles: Role[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid or expired access token',
      type: ErrorResponseDto,
      headers: {
        'WWW-Authenticate': {
          description:
            `RFC 6750 challenge: \`Bearer realm="${AUTH_REALM}"\` when no bearer token was sent, else with ` +
            '`error="invalid_token"` and `error_description="token expired"` or `"invalid token"`',
          required: true,
          schema: { type: 'string', maxLength: 200 },
        },
      },
    }),
    ApiForbiddenResponse({ description: 'The caller may see the resource but not do this', type: ErrorResponseDto }),
  );
}

/** The authenticated caller of this request. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const user = context.switchToHttp().getRequest<Request & { user?: Principal }>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});
