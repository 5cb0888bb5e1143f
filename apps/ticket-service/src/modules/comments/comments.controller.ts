import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentUser } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { ErrorResponseDto } from '../../common/errors/error-response.dto';
import { ApiIdempotent, ApiValidationResponse } from '../../common/http/api-responses';
import { type Page, PageQueryDto } from '../../common/http/pagination';
import { ApiUuidParams, UuidParam } from '../../common/http/uuid-param';
import { IdempotencyInterceptor } from '../../common/idempotency/idempotency.interceptor';
import { CommentDto, CommentPageDto, CreateCommentDto, UpdateCommentDto } from './dto/comment.dto';
import { CommentsService } from './comments.service';

@ApiTags('comments')
@Auth()
@ApiValidationResponse()
@Controller()
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Get('tickets/:ticket_id/comments')
  @ApiUuidParams('ticket_id')
  @ApiOperation({
    summary: 'Comments of a ticket, oldest first (internal notes for staff only)',
    operationId: 'listComments',
  })
  @ApiOkResponse({ type: CommentPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  list(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<CommentDto>> {
    return this.comments.list(user, ticketId, query);
  }

  @Post('tickets/:ticket_id/comments')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiUuidParams('ticket_id')
  @ApiIdempotent()
  @ApiOperation({ summary: 'Comment on a ticket, or add an internal note (staff)', operationId: 'createComment' })
  @ApiCreatedResponse({ type: CommentDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'TICKET_CLOSED' })
  create(
    @CurrentUser() user: Principal,
    @UuidParam('ticket_id') ticketId: string,
    @Body() body: CreateCommentDto,
  ): Promise<CommentDto> {
    return this.comments.create(user, ticketId, body);
  }

  @Put('comments/:comment_id')
  @ApiUuidParams('comment_id')
  @ApiOperation({ summary: 'Edit a comment (author only)', operationId: 'updateComment' })
  @ApiOkResponse({ type: CommentDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'TICKET_CLOSED' })
  update(
    @CurrentUser() user: Principal,
    @UuidParam('comment_id') commentId: string,
    @Body() body: UpdateCommentDto,
  ): Promise<CommentDto> {
    return this.comments.update(user, commentId, body);
  }

  @Delete('comments/:comment_id')
  @HttpCode(204)
  @ApiUuidParams('comment_id')
  @ApiOperation({ summary: 'Delete a comment (author, or an admin)', operationId: 'deleteComment' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  remove(@CurrentUser() user: Principal, @UuidParam('comment_id') commentId: string): Promise<void> {
    return this.comments.remove(user, commentId);
  }
}
