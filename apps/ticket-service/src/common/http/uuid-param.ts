import { applyDecorators, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { DomainError } from '../errors/domain-error';

/**
 * Which UUIDs the service takes: RFC 9562's textual form (8-4-4-4-12 hex digits, any case) whatever its version and
 * variant digits. Ids are opaque here and PostgreSQL's uuid type stores any of them, so a well-formed id that names
 * nothing is a 404, never a 400 (a generated client's example id, an id minted by another system). It is also
 * what OpenAPI's `format: uuid` means to JSON Schema validators.
 */
export const UUID_FORM = 'loose';

export function isUuid(value: unknown): value is string {
  return isUUID(value, UUID_FORM);
}

/** A path id that must be a UUID (400 otherwise), lower-cased: UUIDs are compared as text, one spelling everywhere. */
export function UuidParam(name: string): ParameterDecorator {
  const pipe: PipeTransform<string, string> = {
    transform: (value) => {
      if (!isUuid(value)) {
        throw DomainError.validation(`Path parameter ${name} must be a UUID`, [
          { field: name, message: 'must be a UUID' },
        ]);
      }
      return value.toLowerCase();
    },
  };
  return Param(name, pipe);
}

/** Documents UUID path parameters on a handler. */
export function ApiUuidParams(...names: string[]): MethodDecorator {
  return applyDecorators(...names.map((name) => ApiParam({ name, format: 'uuid', type: String })));
}
