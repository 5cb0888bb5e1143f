import { ApiProperty } from '@nestjs/swagger';
import { ErrorCode } from '@ticketing/contracts';

/**
 * The bounds of an error body. Field errors can echo what the caller sent (an unknown property's name), so the
 * service cuts them to these lengths and lists at most MAX_FIELD_ERRORS (error-response.ts).
 */
export const ERROR_BODY_LIMITS = { detail: 1000, field: 200, message: 500, errors: 100 } as const;

export class FieldErrorDto {
  @ApiProperty({ example: 'title', maxLength: ERROR_BODY_LIMITS.field })
  field!: string;

  @ApiProperty({ example: 'title must be longer than or equal to 5 characters', maxLength: ERROR_BODY_LIMITS.message })
  message!: string;
}

/** The body of every error response (spec §2). */
export class ErrorResponseDto {
  @ApiProperty({ example: 'Ticket not found', maxLength: ERROR_BODY_LIMITS.detail })
  detail!: string;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', example: ErrorCode.NOT_FOUND })
  error_code!: ErrorCode;

  @ApiProperty({
    example: '9b2f0c1e-5d0b-4c53-9d36-2f1f6b0f7a11',
    maxLength: 128,
    description: 'Equals the X-Request-ID header',
  })
  request_id!: string;

  @ApiProperty({
    type: [FieldErrorDto],
    required: false,
    maxItems: ERROR_BODY_LIMITS.errors,
    description: `Present on every VALIDATION_ERROR (the first ${ERROR_BODY_LIMITS.errors} problems)`,
  })
  errors?: FieldErrorDto[];
}
