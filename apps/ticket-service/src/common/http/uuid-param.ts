import { applyDecorators, Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { DomainError } from '../errors/domain-error';

/** A path id that must be a UUID (400 otherwise), documented as such. */
export function UuidParam(name: string): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      version: 'all',
      exceptionFactory: () =>
        DomainError.validation(`Path parameter ${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]),
    }),
    LOWER_CASE,
  );
}

/** UUIDs are compared as text: one spelling everywhere. */
const LOWER_CASE: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/** Documents UUID path parameters on a handler. */
export function ApiUuidParams(...names: string[]): MethodDecorator {
  return applyDecorators(...names.map((name) => ApiParam({ name, format: 'uuid', type: String })));
}
