import { CommentType } from '@ticketing/contracts';
import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('comments')
export class Comment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Changes only when a merge moves the comment to the ticket that stays. */
  @Column({ type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'uuid', update: false })
  authorId!: string;

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'varchar', length: 12, default: CommentType.COMMENT })
  commentType!: CommentType;

  @Column({ type: 'boolean', default: false, update: false })
  isInternal!: boolean;

  @Column({ type: 'boolean', default: false })
  edited!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt!: Date | null;
}
