import type { TicketEventType } from '@ticketing/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A ticket event, written in the same transaction as the change it reports. */
@Entity('outbox_events')
export class OutboxEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Commit-independent order of the feed; assigned by the database. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: TicketEventType;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'boolean', default: false })
  internal!: boolean;

  /** An EventData object; typed loosely because TypeORM's partial-entity types cannot recurse into JSON. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: object;
}
