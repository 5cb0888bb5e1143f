import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Why bytes under a storage key may have no live attachment row. */
export enum StorageIntentKind {
  /** An upload is writing them; its row may still commit. */
  UPLOAD = 'UPLOAD',
  /** No row will ever need them (a deleted attachment, a failed or abandoned upload): they are to be removed. */
  DISCARD = 'DISCARD',
}

/** A storage key of this installation whose bytes are not (or not yet) a live attachment's. */
@Entity('attachment_storage_intents')
export class StorageIntent {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  storageKey!: string;

  @Column({ type: 'varchar', length: 8 })
  kind!: StorageIntentKind;

  /** The wall-clock time it was recorded, which the sweeper's age bound is measured against. */
  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}
