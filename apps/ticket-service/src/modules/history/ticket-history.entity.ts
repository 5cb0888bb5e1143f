import type { HistoryChangeType } from '@ticketing/contracts';

/** Scalar facts about a change (notes, the breach kind, ...). */
export type HistoryMetadata = Record<string, string | number | boolean | null>;
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One audited change of a ticket. Append-only: a database trigger refuses UPDATE and DELETE. */
@Entity('ticket_history')
export class TicketHistory {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order; several rows of one transaction share created_at. */
  @Column({ type: 'bigint', insert: false, update: false, select: false })
  seq!: string;

  @Column({ type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'varchar', length: 30 })
  changeType!: HistoryChangeType;

  @Column({ type: 'varchar', length: 50, nullable: true })
  fieldName!: string | null;

  @Column({ type: 'text', nullable: true })
  oldValue!: string | null;

  @Column({ type: 'text', nullable: true })
  newValue!: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: HistoryMetadata;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
