import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

export interface StringMapLimits {
  /** Names must match this (Prometheus label names by default). */
  key: RegExp;
  maxEntries: number;
  maxValueLength: number;
}

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;

/** The entries of a JSON object of strings that break `limits`, as messages. */
export function stringMapProblems(value: unknown, limits: StringMapLimits): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be an object of strings'];
  const entries = Object.entries(value as Record<string, unknown>);
  const problems: string[] = [];
  if (entries.length > limits.maxEntries) problems.push(`must have at most ${limits.maxEntries} entries`);
  for (const [key, entry] of entries) {
    if (!limits.key.test(key)) problems.push(`key "${key.slice(0, 100)}" must match ${limits.key.source}`);
    if (typeof entry !== 'string') problems.push(`value of "${key.slice(0, 100)}" must be a string`);
    else if (entry.length > limits.maxValueLength || entry.includes('\u0000'))
      problems.push(`value of "${key.slice(0, 100)}" must be at most ${limits.maxValueLength} characters without NUL`);
  }
  return problems;
}

/** A JSON object whose values are strings (labels, annotations), within `limits`. */
export function IsStringMap(limits: StringMapLimits, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => stringMapProblems(value, limits).length === 0,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} ${stringMapProblems(args.value, limits).slice(0, 3).join('; ')}`,
      },
    });
  };
}
