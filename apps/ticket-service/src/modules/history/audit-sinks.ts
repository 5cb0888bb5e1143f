import { Injectable } from '@nestjs/common';
import type { TicketEventType } from '@ticketing/contracts';
import { PluginRegistry } from '../../common/ports/plugin-registry';
import type { BindParameter, StatementPart } from '../../database/commit-statement';

export type { BindParameter, StatementPart } from '../../database/commit-statement';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventData = { [key: string]: JsonValue };

/** A ticket event that one audited change produces (spec §9's envelope without its id). */
export interface AuditEvent {
  type: TicketEventType;
  data: EventData;
  /** About staff-only content (an internal comment or its attachment). */
  internal?: boolean;
}

/** The events of one audited change, with who made it and when. */
export interface AuditedEvents {
  ticketId: string;
  actorId: string | null;
  occurredAt: Date;
  events: readonly AuditEvent[];
}

/** Where the events of audited changes go (the notifications outbox); written in the changes' transaction. */
export interface AuditSink {
  /**
   * What it writes of the events of one change, or of many at once (set-based writers such as the breach
   * scanner), as a part of the statement that also writes their history rows.
   */
  write(batch: readonly AuditedEvents[], bind: BindParameter): StatementPart | null;
}

/** Modules that consume audited events plug in here; the history module knows none of them. */
@Injectable()
export class AuditSinks extends PluginRegistry<AuditSink> {}
