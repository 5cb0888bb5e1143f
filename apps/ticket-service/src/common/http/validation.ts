import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from '../errors/domain-error';
import { DomainError } from '../errors/domain-error';

/** Flattens nested class-validator errors into `{field, message}` pairs with dotted paths. */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * Keys the whitelist check never sees: Nest's ValidationPipe deletes `__proto__`, `constructor` and `prototype`
 * before validating, and class-transformer drops a key that names a method of the target (`toString`,
 * `hasOwnProperty` and the rest of Object.prototype). A body carrying one would be accepted while every other
 * unknown property is refused, so they are refused first.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** An error for every prototype key in a parsed body or query (dotted paths), found without recursion. */
export function prototypeKeyErrors(value: unknown): FieldError[] {
  const found: FieldError[] = [];
  const pending: { container: object; path: string }[] = [];
  const visit = (candidate: unknown, path: string): void => {
    if (typeof candidate === 'object' && candidate !== null) pending.push({ container: candidate, path });
  };
  visit(value, '');
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const [key, child] of Object.entries(next.container)) {
      const path = next.path ? `${next.path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) found.push({ field: path, message: `property ${key} should not exist` });
      else visit(child, path);
    }
  }
  return found;
}

/**
 * Validates DTO classes only. Parameters typed with an enum carry the enum object as their metatype under
 * some compilers (swc); those are checked by their own pipes, not as objects.
 */
class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata)) {
      const refused = prototypeKeyErrors(value);
      if (refused.length > 0) throw DomainError.validation('Request validation failed', refused);
    }
    return super.transform(value, metadata);
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    return typeof metadata.metatype === 'function' && super.toValidate(metadata);
  }
}

/** The one strict pipe: unknown properties rejected, values transformed to the DTO types. */
export function createValidationPipe(): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation('Request validation failed', flattenValidationErrors(errors)),
  });
}
