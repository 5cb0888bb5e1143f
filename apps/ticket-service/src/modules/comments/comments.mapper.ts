import type { Comment } from './comment.entity';
import type { AttachmentDto } from '../attachments';
import type { CommentDto } from './dto/comment.dto';

export function toCommentDto(comment: Comment, attachments: AttachmentDto[]): CommentDto {
  return {
    id: comment.id,
    ticket_id: comment.ticketId,
    author_id: comment.authorId,
    content: comment.content,
    comment_type: comment.commentType,
    is_internal: comment.isInternal,
    attachments,
    created_at: comment.createdAt.toISOString(),
    updated_at: comment.updatedAt.toISOString(),
    edited: comment.edited,
  };
}
