import type { WorkingCalendar } from '@ticketing/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One version of a working calendar: the default (teamId null) or a team's override. Versions are never changed;
 * a new one supersedes the current one, and tickets keep the version they were created with.
 */
@Entity('sla_calendars')
export class SlaCalendar {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ type: 'jsonb' })
  week!: WorkingCalendar['week'];

  @Column({ type: 'jsonb' })
  holidays!: string[];

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  /** Set when a newer version (or a team's DELETE) replaces this one. */
  @Column({ type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}
