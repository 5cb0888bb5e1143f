import { Injectable } from '@nestjs/common';
import { PluginRegistry } from '../../common/ports/plugin-registry';

/** The facts an upload needs about the comment it is attached to. */
export interface AttachableComment {
  isInternal: boolean;
}

/** Answers "is this a live comment of that ticket"; the comments module plugs in, so this module never imports it. */
export interface CommentLookup {
  findOnTicket(ticketId: string, commentId: string): Promise<AttachableComment | null>;
}

@Injectable()
export class CommentLookups extends PluginRegistry<CommentLookup> {}
