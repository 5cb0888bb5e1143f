import { DomainError } from '../../common/errors/domain-error';
import type { TicketSortField } from './dto/ticket-list-query.dto';
import { isUuid } from '../../common/http/uuid-param';

/** What a cursor pins: the last row served and the order it was served in. */
export interface TicketListCursor {
  id: string;
  sortBy: TicketSortField;
  order: 'asc' | 'desc';
}

/** Opaque to clients (base64url JSON), so its shape can change without breaking them. */
export function encodeCursor(cursor: TicketListCursor): string {
  return Buffer.from(JSON.stringify({ id: cursor.id, s: cursor.sortBy, o: cursor.order })).toString('base64url');
}

const invalidCursor = (message: string): DomainError =>
  DomainError.validation('cursor is not a next_cursor of this list', [{ field: 'cursor', message }]);

/** The cursor, checked against the order of this request: a cursor continues only the list it came from. */
export function decodeCursor(text: string, sortBy: TicketSortField, order: 'asc' | 'desc'): TicketListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('must be a next_cursor value returned by this endpoint');
  }
  const { id, s, o } = (parsed ?? {}) as { id?: unknown; s?: unknown; o?: unknown };
  if (typeof id !== 'string' || !isUuid(id))
    throw invalidCursor('must be a next_cursor value returned by this endpoint');
  if (s !== sortBy || o !== order) throw invalidCursor('was issued for another sort_by or order');
  return { id: id.toLowerCase(), sortBy, order };
}
