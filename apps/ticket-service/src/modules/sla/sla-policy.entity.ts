import type { TicketPriority } from '@ticketing/contracts';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('sla_policies')
export class SlaPolicy {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  priority!: TicketPriority;

  @Column({ type: 'integer' })
  responseMinutes!: number;

  @Column({ type: 'integer' })
  resolutionMinutes!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
