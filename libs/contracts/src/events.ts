/** Types of the ticket events delivered to webhooks and served by the change feed. */
export enum TicketEventType {
  TICKET_CREATED = 'ticket.created',
  TICKET_UPDATED = 'ticket.updated',
  TICKET_STATUS_CHANGED = 'ticket.status_changed',
  TICKET_ASSIGNED = 'ticket.assigned',
  TICKET_DELETED = 'ticket.deleted',
  COMMENT_ADDED = 'comment.added',
  ATTACHMENT_ADDED = 'attachment.added',
  SLA_WARNING = 'sla.warning',
  SLA_BREACHED = 'sla.breached',
  TICKET_LINKED = 'ticket.linked',
  TICKET_UNLINKED = 'ticket.unlinked',
  TICKET_MERGED = 'ticket.merged',
  TICKET_FOLLOWER_ADDED = 'ticket.follower_added',
  TICKET_FOLLOWER_REMOVED = 'ticket.follower_removed',
}

/**
 * Every event of a ticket that has followers carries their user ids in `data.follower_ids` (absent when the
 * ticket has none), so a notification service can fan out without reading the ticket back. The reporter and
 * assignee are on the ticket itself; END_USER followers must not be told about `internal` events.
 */
export const FOLLOWER_IDS_FIELD = 'follower_ids';

/** The envelope of every event. */
export interface TicketEvent<TData extends object = Record<string, unknown>> {
  id: string;
  type: TicketEventType;
  /** ISO-8601 UTC. */
  occurred_at: string;
  ticket_id: string;
  /** null = the system (e.g. the SLA scanner). */
  actor_id: string | null;
  /** True when the event concerns staff-only content (internal comments). */
  internal: boolean;
  data: TData;
}
