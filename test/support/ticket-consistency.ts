import type { Exchange } from './ticket-workload';

/** Runs SQL on the database under test, independently of the service's own connections. */
export type Query = <Row>(sql: string, params?: unknown[]) => Promise<Row[]>;

interface StoredTicket {
  id: string;
  status: string;
  version: number;
}

interface HistoryRow {
  ticket_id: string;
  change_type: string;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  comment_id: string | null;
}

interface EventRow {
  ticket_id: string;
  type: string;
  transition: string | null;
  comment_id: string | null;
}

/**
 * What a crash, a cut connection or a shutdown must never leave behind in the tickets written by TicketWorkload
 * (whose only ticket writes are status changes): a ticket without its CREATED row, a history row or event whose
 * change did not happen, a change without its history row, a version that does not count the saves. Returns the
 * problems found, one sentence each (none: consistent).
 */
export async function ticketInconsistencies(query: Query): Promise<string[]> {
  const tickets = await query<StoredTicket>('SELECT id, status, version FROM tickets ORDER BY created_at');
  const history = await query<HistoryRow>(
    `SELECT ticket_id, change_type, field_name, old_value, new_value, metadata->>'comment_id' AS comment_id
     FROM ticket_history ORDER BY seq`,
  );
  const events = await query<EventRow>(
    `SELECT ticket_id, type, CASE WHEN type = 'ticket.status_changed' THEN (data->>'from') || '>' || (data->>'to') END
       AS transition, data->>'comment_id' AS comment_id
     FROM outbox_events ORDER BY seq`,
  );
  const comments = await query<{ id: string; ticket_id: string }>('SELECT id, ticket_id FROM comments');

  const problems: string[] = [];
  const known = new Set(tickets.map((ticket) => ticket.id));
  for (const row of history) {
    if (!known.has(row.ticket_id)) problems.push(`history row ${row.change_type} of a missing ticket ${row.ticket_id}`);
  }
  for (const ticket of tickets) {
    const rows = history.filter((row) => row.ticket_id === ticket.id);
    const created = rows.filter((row) => row.change_type === 'CREATED').length;
    if (created !== 1) problems.push(`ticket ${ticket.id} has ${created} CREATED rows`);

    // The status rows must chain from NEW to the stored status: a row without its change breaks the chain.
    const moves = rows.filter((row) => row.field_name === 'status');
    let status = 'NEW';
    for (const move of moves) {
      if (move.old_value !== status)
        problems.push(`ticket ${ticket.id}: a move from ${move.old_value} after ${status}`);
      status = move.new_value ?? 'null';
    }
    if (status !== ticket.status) problems.push(`ticket ${ticket.id} is ${ticket.status}, its history says ${status}`);
    // One save per move, and the workload makes no other saves: version 1 on create, +1 per move.
    if (ticket.version !== 1 + moves.length) {
      problems.push(`ticket ${ticket.id} is at version ${ticket.version} after ${moves.length} moves`);
    }

    const ticketEvents = events.filter((event) => event.ticket_id === ticket.id);
    const createdEvents = ticketEvents.filter((event) => event.type === 'ticket.created').length;
    if (createdEvents !== 1) problems.push(`ticket ${ticket.id} has ${createdEvents} ticket.created events`);
    const eventMoves = ticketEvents.flatMap((event) => event.transition ?? []);
    const historyMoves = moves.map((move) => `${move.old_value}>${move.new_value}`);
    if (eventMoves.join() !== historyMoves.join()) {
      problems.push(`ticket ${ticket.id}: status events ${eventMoves.join()} vs history ${historyMoves.join()}`);
    }

    const stored = comments.filter((comment) => comment.ticket_id === ticket.id).map((comment) => comment.id);
    const recorded = rows.filter((row) => row.change_type === 'COMMENT_ADDED').map((row) => row.comment_id);
    const announced = ticketEvents.filter((event) => event.type === 'comment.added').map((event) => event.comment_id);
    if (sorted(recorded).join() !== sorted(stored).join() || sorted(announced).join() !== sorted(stored).join()) {
      problems.push(
        `ticket ${ticket.id}: comments ${stored.join()} vs COMMENT_ADDED rows ${recorded.join()} vs events ${announced.join()}`,
      );
    }
  }
  return problems;
}

/** The writes the service acknowledged (201, 200) that are not stored. */
export async function lostAcknowledgedWrites(query: Query, exchanges: readonly Exchange[]): Promise<string[]> {
  const tickets = new Set((await query<{ id: string }>('SELECT id FROM tickets')).map((row) => row.id));
  const comments = new Set((await query<{ id: string }>('SELECT id FROM comments')).map((row) => row.id));
  const moves = new Set(
    (
      await query<{ move: string }>(
        `SELECT ticket_id || '>' || new_value AS move FROM ticket_history WHERE field_name = 'status'`,
      )
    ).map((row) => row.move),
  );
  const lost: string[] = [];
  for (const exchange of exchanges) {
    if (exchange.kind === 'create' && exchange.status === 201 && !tickets.has(exchange.body.id)) {
      lost.push(`created ticket ${exchange.body.id}`);
    }
    if (
      exchange.kind === 'status' &&
      exchange.status === 200 &&
      !moves.has(`${exchange.ticketId}>${exchange.target}`)
    ) {
      lost.push(`move of ${exchange.ticketId} to ${exchange.target}`);
    }
    if (exchange.kind === 'comment' && exchange.status === 201 && !comments.has(exchange.body.id)) {
      lost.push(`comment ${exchange.body.id}`);
    }
  }
  return lost;
}

const sorted = (values: readonly (string | null)[]): (string | null)[] => [...values].sort();
