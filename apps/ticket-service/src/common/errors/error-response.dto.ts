import { ApiProperty } from '@nestjs/swagger';
import { ErrorCode } from '@ticketing/contracts';

export class FieldErrorDto {
  @ApiProperty({ example: 'title' })
  field!: string;

  @ApiProperty({ example: 'title must be longer than or equal to 5 characters' })
  message!: string;
}

/** The body of every error response (spec §2). */
export class ErrorResponseDto {
  @ApiProperty({ example: 'Ticket not found' })
  detail!: string;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', example: ErrorCode.NOT_FOUND })
  error_code!: ErrorCode;

  @ApiProperty({ example: '9b2f0c1e-5d0b-4c53-9d36-2f1f6b0f7a11', description: 'Equals the X-Request-ID header' })
  request_id!: string;

  @ApiProperty({ type: [FieldErrorDto], required: false, description: 'Present on every VALIDATION_ERROR' })
  errors?: FieldErrorDto[];
}
