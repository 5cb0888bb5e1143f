export { AttachmentsModule } from './attachments.module';
export { AttachmentsService } from './attachments.service';
export { type AttachableComment, type CommentLookup, CommentLookups } from './comment-lookup';
export { AttachmentDto } from './dto/attachment.dto';
