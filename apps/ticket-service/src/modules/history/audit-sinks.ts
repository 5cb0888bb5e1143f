import { Injectable } from '@nestjs/common';
import type { TicketEventType } from '@ticketing/contracts';
import { PluginRegistry } from '../../common/ports/plugin-registry';

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

/** Gives a value its placeholder (`$n`) in the audit statement. */
export type BindParameter = (value: unknown) => string;

/**
 * What a sink writes, as parts of the change's one audit statement (with its history rows): every round trip
 * costs a write more CPU than the inserts themselves.
 */
export interface AuditWrite {
  /** Data-modifying common table expressions, `name AS (…)`; names start with the sink's own table's. */
  tables: string[];
  /** A scalar expression evaluated after them (a notification at commit), or null. */
  effect: string | null;
}

/** Where the events of audited changes go (the notifications outbox); written in the changes' transaction. */
export interface AuditSink {
  /** The events of one change, or of many at once (set-based writers such as the breach scanner). */
  write(batch: readonly AuditedEvents[], bind: BindParameter): AuditWrite | null;
}

/** Modules that consume audited events plug in here; the history module knows none of them. */
@Injectable()
export class AuditSinks extends PluginRegistry<AuditSink> {}
