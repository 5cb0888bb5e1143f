import { Controller, Delete, Get, HttpCode, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { DEFAULT_UPLOAD_MAX_FILE_SIZE } from '../../config/app-config';
import { ApiIdempotent, ApiValidationResponse } from '../../common/http/api-responses';
import { AcceptsMultipart } from '../../common/http/content-type.guard';
import { type Page, PageQueryDto } from '../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import {
  IdempotencyCompletedAfterHandler,
  IdempotencyInterceptor,
} from '../../common/idempotency/idempotency.interceptor';
import { AttachmentsService } from './attachments.service';
import { DOWNLOAD_HEADERS, downloadConditionsOf, sendDownload } from './download/attachment-download';
import { AttachmentDto, AttachmentPageDto } from './dto/attachment.dto';
import type { PendingUpload } from './storage-intents';
import { ALLOWED_EXTENSIONS, STORED_CONTENT_TYPES } from './upload/file-type-policy';
import { AttachmentUploadInterceptor, UploadedAttachment } from './upload/attachment-upload.interceptor';

/** A download answers with the stored file's own content type (one of the allowed kinds'); errors stay JSON. */
const STORED_BYTES = Object.fromEntries(
  STORED_CONTENT_TYPES.map((type) => [
    type,
    { schema: { type: 'string', format: 'binary', maxLength: DEFAULT_UPLOAD_MAX_FILE_SIZE } },
  ]),
);

@ApiTags('attachments')
@Auth()
@ApiValidationResponse()
@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Get('tickets/:ticket_id/attachments')
  @ApiUuidParams('ticket_id')
  @ApiOperation({ summary: 'List the attachments of a ticket, oldest first', operationId: 'listAttachments' })
  @ApiOkResponse({ type: AttachmentPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Ticket missing, deleted or not visible' })
  list(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<AttachmentDto>> {
    return this.attachments.list(user, ticketId, query);
  }

  @Post('tickets/:ticket_id/attachments')
  @AcceptsMultipart()
  @UseInterceptors(AttachmentUploadInterceptor, IdempotencyInterceptor)
  @IdempotencyCompletedAfterHandler()
  @ApiUuidParams('ticket_id')
  @ApiOperation({
    summary: 'Upload an attachment (streamed; scanned when scanning is on)',
    description: `Allowed extensions: ${ALLOWED_EXTENSIONS.join(', ')}; the content must agree with the extension.`,
    operationId: 'uploadAttachment',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: {
          type: 'string',
          format: 'binary',
          maxLength: DEFAULT_UPLOAD_MAX_FILE_SIZE,
          description: 'The file, up to UPLOAD_MAX_FILE_SIZE bytes (50 MiB unless configured otherwise)',
        },
        comment_id: { type: 'string', format: 'uuid', description: 'A comment of this ticket to attach it to' },
      },
    },
  })
  @ApiIdempotent()
  @ApiCreatedResponse({ type: AttachmentDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Ticket missing, deleted or not visible' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'TICKET_CLOSED' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: 'PAYLOAD_TOO_LARGE: above UPLOAD_MAX_FILE_SIZE' })
  @ApiResponse({ status: 415, type: ErrorResponseDto, description: 'UNSUPPORTED_FILE_TYPE' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'FILE_INFECTED' })
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'SCAN_UNAVAILABLE (Retry-After)' })
  @ApiResponse({ status: 507, type: ErrorResponseDto, description: 'INSUFFICIENT_STORAGE' })
  upload(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @UploadedAttachment() upload: PendingUpload,
  ): Promise<AttachmentDto> {
    return this.attachments.upload(user, ticketId, upload);
  }

  @Get('attachments/:attachment_id')
  @ApiUuidParams('attachment_id')
  @ApiOperation({
    summary: 'Download an attachment (supports Range and If-None-Match)',
    description:
      'With ATTACHMENT_DOWNLOAD_MODE=proxy (the default) the service streams the bytes (200, 206, 416). With ' +
      'ATTACHMENT_DOWNLOAD_MODE=redirect (S3 or Azure storage) it checks access the same way and answers 302 to a ' +
      'signed URL of the store, valid for at most 5 minutes, which serves the bytes (and ranges) as an attachment ' +
      'under the stored file name.',
    operationId: 'downloadAttachment',
  })
  @ApiHeader({
    name: 'Range',
    required: false,
    description: 'One byte range, e.g. bytes=0-1023 (anything else is ignored: the whole file is sent)',
    schema: { type: 'string', maxLength: 64 },
  })
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'The ETag ("<sha256>") of a copy the client has',
    schema: { type: 'string', maxLength: 1024 },
  })
  @ApiOkResponse({
    description: 'The stored bytes, as their Content-Type',
    content: STORED_BYTES,
    headers: DOWNLOAD_HEADERS[200],
  })
  @ApiResponse({
    status: 206,
    description: 'The requested range',
    content: STORED_BYTES,
    headers: DOWNLOAD_HEADERS[206],
  })
  @ApiResponse({
    status: 302,
    description: 'Redirect mode: the bytes are at Location, a signed URL of the store that expires within 5 minutes',
    headers: {
      Location: {
        description: 'The signed URL (S3 presigned GET or Azure SAS with read permission)',
        schema: { type: 'string', format: 'uri', maxLength: 4096 },
      },
      'Cache-Control': {
        description: 'private, no-store: the signed URL is for this caller, now',
        schema: { type: 'string', maxLength: 64 },
      },
    },
  })
  @ApiResponse({ status: 304, description: 'The client’s copy is current', headers: DOWNLOAD_HEADERS[304] })
  @ApiResponse({
    status: 416,
    description: 'The range starts past the end (Content-Range: bytes */<size>)',
    headers: DOWNLOAD_HEADERS[416],
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiResponse({ status: 507, type: ErrorResponseDto, description: 'INSUFFICIENT_STORAGE: the store is failing' })
  async download(
    @CurrentUser() user: Principal,
    @UuidParam('attachment_id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await sendDownload(req, res, await this.attachments.download(user, id, downloadConditionsOf(req)));
  }

  @Delete('attachments/:attachment_id')
  @HttpCode(204)
  @ApiUuidParams('attachment_id')
  @ApiOperation({ summary: 'Delete an attachment (uploader or admin)', operationId: 'deleteAttachment' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@CurrentUser() user: Principal, @UuidParam('attachment_id') id: string): Promise<void> {
    return this.attachments.remove(user, id);
  }
}
