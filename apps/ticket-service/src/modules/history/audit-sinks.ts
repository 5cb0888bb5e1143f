import { Injectable } from '@nestjs/common';
import type { TicketEventType } from '@ticketing/contracts';
import type { EntityManager } from 'typeorm';
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

/** Where the events of audited changes go (the notifications outbox); written in the changes' transaction. */
export interface AuditSink {
  /** The events of one change, or of many at once (set-based writers such as the breach scanner). */
  write(manager: EntityManager, batch: readonly AuditedEvents[]): Promise<void>;
}

/** Modules that consume audited events plug in here; the history module knows none of them. */
@Injectable()
export class AuditSinks extends PluginRegistry<AuditSink> {}
