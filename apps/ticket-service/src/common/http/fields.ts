import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, IsUUID, Length, NotContains, ValidateIf } from 'class-validator';
import { UUID_FORM } from './uuid-param';

interface TextFieldOptions {
  min: number;
  max: number;
  /** Optional fields may be omitted; `nullable` ones may also be sent as null. */
  optional?: boolean;
  nullable?: boolean;
  example?: string | null;
  description?: string;
}

const trim = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
const lowerCase = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value,
);

/**
 * The field may be omitted (its default applies) but, when sent, is validated like any value: `null` is not
 * the default and fails the field's own checks (IsOptional would let it through to the database as NULL).
 */
export const IsOmittable = (): PropertyDecorator =>
  ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/**
 * The documented values of a nullable enum: OpenAPI 3.0.3 makes `nullable` widen `type` only, so without null
 * among the values a validator refuses the null the field may carry.
 */
export function enumOrNull<T extends Record<string, string>>(values: T): (T[keyof T] | null)[] {
  return [...(Object.values(values) as T[keyof T][]), null];
}

/** PostgreSQL text cannot hold NUL characters: refuse them as bad input instead of failing in the database. */
export const RejectNul = (): PropertyDecorator =>
  NotContains(String.fromCharCode(0), { each: true, message: '$property must not contain NUL characters' });

/** A trimmed string with length bounds, validated and documented by one decorator. */
export function TextField(options: TextFieldOptions): PropertyDecorator {
  const optionality = options.nullable ? [IsOptional()] : options.optional ? [IsOmittable()] : [IsNotEmpty()];
  return applyDecorators(
    ApiProperty({
      type: String,
      minLength: options.min,
      maxLength: options.max,
      required: !(options.optional || options.nullable),
      nullable: options.nullable ?? false,
      example: options.example,
      description: options.description,
    }),
    trim,
    ...optionality,
    IsString(),
    Length(options.min, options.max),
    RejectNul(),
  );
}

interface UuidFieldOptions {
  /** May be omitted. */
  optional?: boolean;
  /** May be null (when not also optional, it must still be sent). */
  nullable?: boolean;
  description?: string;
  /** What Swagger UI fills in; null for a reference that must exist, so the shown example succeeds as sent. */
  example?: string | null;
}

/** A UUID (lower-cased, as the database returns them), validated and documented together. */
export function UuidField(options: UuidFieldOptions = {}): PropertyDecorator {
  const optionality =
    options.optional && options.nullable
      ? [IsOptional()]
      : options.optional
        ? [IsOmittable()]
        : options.nullable
          ? [ValidateIf((_object: unknown, value: unknown) => value !== null)]
          : [];
  return applyDecorators(
    ApiProperty({
      type: String,
      format: 'uuid',
      required: !options.optional,
      nullable: options.nullable ?? false,
      description: options.description,
      example: options.example,
    }),
    lowerCase,
    ...optionality,
    IsUUID(UUID_FORM),
  );
}
