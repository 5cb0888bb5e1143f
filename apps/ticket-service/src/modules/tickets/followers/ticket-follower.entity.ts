import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user kept informed about a ticket; a following requester sees it as they see their own. */
@Entity('ticket_followers')
export class TicketFollower {
  @PrimaryColumn({ type: 'uuid' })
  ticketId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  /** Who added them; null = the system. */
  @Column({ type: 'uuid', nullable: true })
  addedBy!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}
