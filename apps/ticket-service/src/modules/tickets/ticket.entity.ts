import { ImpactLevel, TicketCategory, TicketEnvironment, TicketPriority, TicketStatus } from '@ticketing/contracts';
import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

const bigintAsNumber = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

@Entity('tickets')
export class Ticket {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'bigint', default: () => "nextval('ticket_number_seq')", update: false, transformer: bigintAsNumber })
  ticketNumber!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'varchar', length: 20 })
  category!: TicketCategory;

  @Column({ type: 'varchar', length: 2, default: TicketPriority.P3 })
  priority!: TicketPriority;

  @Column({ type: 'varchar', length: 20, default: TicketStatus.NEW })
  status!: TicketStatus;

  @Column({ type: 'varchar', length: 20, nullable: true })
  environment!: TicketEnvironment | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  affectedService!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  impactLevel!: ImpactLevel | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ type: 'uuid', update: false })
  reporterId!: string;

  @Column({ type: 'uuid', nullable: true })
  assigneeId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  @Column({ type: 'text', nullable: true })
  resolutionNotes!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  responseDueAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionDueAt!: Date | null;

  @Column({ type: 'timestamptz' })
  resolutionClockStartedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  pendingSince!: Date | null;

  @Column({ type: 'integer', default: 0 })
  pausedSeconds!: number;

  @Column({ type: 'timestamptz', nullable: true })
  firstResponseAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** Set once by the breach scanner, which writes the one SLA_BREACH row per kind. */
  @Column({ type: 'boolean', default: false })
  responseBreachRecorded!: boolean;

  @Column({ type: 'boolean', default: false })
  resolutionBreachRecorded!: boolean;

  /** Set once by the scanner when 80% of a target has elapsed (the sla.warning event). */
  @Column({ type: 'boolean', default: false })
  responseWarningRecorded!: boolean;

  @Column({ type: 'boolean', default: false })
  resolutionWarningRecorded!: boolean;

  @Column({ type: 'integer', default: 0 })
  reopenCount!: number;

  /** Set when the ticket was merged into another one (and closed). */
  @Column({ type: 'uuid', nullable: true })
  mergedIntoId!: string | null;

  @VersionColumn()
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt!: Date | null;

  /** Not a column: the users following the ticket, loaded with it by TicketFinder (the access policy needs them). */
  followerIds?: string[];
}
