import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiIfMatch, VERSION_ETAG_HEADERS } from '../../common/http/api-responses';
import { VersionETagInterceptor } from '../../common/http/etag';
import { ApiUuidParams } from '../../common/http/uuid-param';
import { TicketDto } from './dto/ticket.dto';

export interface TicketChangeDoc {
  summary: string;
  operationId: string;
  /** The 409 error codes this change can answer. */
  conflicts: string;
}

/**
 * Everything a route that changes one ticket shares: the ETag of the new version, `If-Match`, the
 * `ticket_id` path parameter, and its documented 200 / 404 / 409 answers.
 */
export function TicketChange({ summary, operationId, conflicts }: TicketChangeDoc): MethodDecorator {
  // Listed in the order the separate decorators used to apply (bottom-up), so the document is unchanged.
  return applyDecorators(
    ApiConflictResponse({ type: ErrorResponseDto, description: conflicts }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
    ApiOkResponse({ type: TicketDto, headers: VERSION_ETAG_HEADERS }),
    ApiOperation({ summary, operationId }),
    ApiIfMatch(),
    ApiUuidParams('ticket_id'),
    UseInterceptors(VersionETagInterceptor),
  );
}
