import type { Attachment } from './attachment.entity';
import type { AttachmentDto } from './dto/attachment.dto';

export function downloadUrlOf(attachmentId: string): string {
  return `/api/v1/attachments/${attachmentId}`;
}

export function toAttachmentDto(attachment: Attachment): AttachmentDto {
  return {
    id: attachment.id,
    ticket_id: attachment.ticketId,
    comment_id: attachment.commentId,
    filename: attachment.filename,
    content_type: attachment.contentType,
    size_bytes: attachment.sizeBytes,
    sha256: attachment.sha256,
    uploaded_by: attachment.uploadedBy,
    created_at: attachment.createdAt.toISOString(),
    download_url: downloadUrlOf(attachment.id),
  };
}
