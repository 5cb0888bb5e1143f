import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TicketTextSource, TicketTextSources } from '../tickets';

/** Lets the ticket search (`q`) match comment text, without the tickets module reading this module's table. */
@Injectable()
export class CommentTextSource implements TicketTextSource, OnModuleInit {
  constructor(private readonly sources: TicketTextSources) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  matchingTicketIdsSql({ includeInternal }: { includeInternal: boolean }): string {
    return `SELECT c.ticket_id FROM comments c WHERE c.deleted_at IS NULL ${includeInternal ? '' : 'AND NOT c.is_internal'}
      AND c.search_vector @@ websearch_to_tsquery('english', :q)`;
  }
}
