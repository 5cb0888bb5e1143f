export { CommentsModule } from './comments.module';
export { CommentsService } from './comments.service';
