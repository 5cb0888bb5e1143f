import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One routing rule; `position` orders them (first match wins). */
@Entity('alert_routes')
export class AlertRoute {
  @PrimaryColumn({ type: 'integer' })
  position!: number;

  @Column({ type: 'jsonb' })
  match!: Record<string, string>;

  @Column({ type: 'uuid' })
  teamId!: string;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
