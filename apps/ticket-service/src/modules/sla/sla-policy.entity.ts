import type { SlaClockType, TicketPriority } from '@ticketing/contracts';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('sla_policies')
export class SlaPolicy {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  priority!: TicketPriority;

  @Column({ type: 'integer' })
  responseMinutes!: number;

  @Column({ type: 'integer' })
  resolutionMinutes!: number;

  /** How the targets count time (a new ticket takes its policy's clock, like its targets). */
  @Column({ type: 'varchar', length: 16 })
  clock!: SlaClockType;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
