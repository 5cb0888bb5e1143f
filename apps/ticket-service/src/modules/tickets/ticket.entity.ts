import {
  ImpactLevel,
  SlaClockType,
  TicketCategory,
  TicketEnvironment,
  TicketPriority,
  TicketStatus,
} from '@ticketing/contracts';
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

  /** When SLA_WARNING_SHARE of each target has passed on the ticket's clock (the scanner compares these). */
  @Column({ type: 'timestamptz', nullable: true })
  responseWarningAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionWarningAt!: Date | null;

  /** The clock of the ticket's policy; null when SLA tracking was off at creation. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  slaClock!: SlaClockType | null;

  /** The calendar version in force for the ticket's team when it was created (later changes do not apply). */
  @Column({ type: 'uuid', nullable: true })
  slaCalendarId!: string | null;

  /** Time to the first response and to resolution, counted on the ticket's clock (team metrics). */
  @Column({ type: 'double precision', nullable: true })
  timeToFirstResponseSeconds!: number | null;

  @Column({ type: 'double precision', nullable: true })
  timeToResolutionSeconds!: number | null;

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

  /** The monitoring alert that opened the ticket (null for tickets opened by people). */
  @Column({ type: 'varchar', length: 200, nullable: true, update: false })
  alertFingerprint!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true, update: false })
  alertSource!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  alertLabels!: Record<string, string> | null;

  @Column({ type: 'text', nullable: true })
  alertGeneratorUrl!: string | null;

  /** Firings of the alert counted on this ticket (the first one included). */
  @Column({ type: 'integer', default: 0 })
  alertOccurrences!: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastAlertAt!: Date | null;

  /** When the alert reported itself resolved (cleared by a new firing); one resolved note per resolution. */
  @Column({ type: 'timestamptz', nullable: true })
  alertResolvedAt!: Date | null;

  /** True while the status is the one the alert intake set; any other status change clears it (auto-resolve). */
  @Column({ type: 'boolean', default: false })
  alertOwnsStatus!: boolean;

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
