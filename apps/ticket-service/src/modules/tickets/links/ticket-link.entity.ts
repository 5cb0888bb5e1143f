import type { TicketLinkType } from '@ticketing/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A typed relation from one ticket (the source) to another; at most one of a type between two tickets. */
@Entity('ticket_links')
export class TicketLink {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  type!: TicketLinkType;

  @Column({ type: 'uuid' })
  sourceTicketId!: string;

  @Column({ type: 'uuid' })
  targetTicketId!: string;

  /** Who linked them; null = the system. */
  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
