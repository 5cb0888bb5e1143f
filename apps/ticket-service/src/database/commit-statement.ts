import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';

/** Gives a value its placeholder (`$n`) in the statement being composed. */
export type BindParameter = (value: unknown) => string;

/** What a writer adds to the statement. */
export interface StatementPart {
  /** Data-modifying common table expressions, `name AS (…)`; names start with the writer's own table's. */
  tables: string[];
  /** Scalar expressions evaluated after them (a notification at commit). */
  effects: string[];
}

/** Rows a writer has gathered in one transaction, written as one part of the commit statement. */
export interface DeferredWriter {
  compose(bind: BindParameter): StatementPart | null;
}

/**
 * The writers of each open transaction, by the query runner that holds it. They belong to the transaction, not to
 * one instance of this class: whichever instance the runner's data source tells of the commit writes them (two
 * applications in one process, as in the test suites, share the transaction host of `@Transactional`).
 */
const pending = new WeakMap<QueryRunner, Map<string, DeferredWriter>>();

/**
 * The statement a transaction sends just before its COMMIT: the rows that writers (the audit trail, the
 * idempotency key's completion) gathered during the transaction, all in one round trip. On this kind of load a
 * round trip costs more than the rows it writes; the rows still commit, or roll back, with the change.
 *
 * A writer asks for its part with `writerIn`; without an open transaction it gets null and writes at once with
 * `writeNow`. Before a savepoint starts, what is pending is written, so that rolling back to the savepoint
 * discards exactly what was gathered after it.
 */
@Injectable()
export class CommitStatement implements EntitySubscriberInterface {
  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** The writer under `key` in the manager's open transaction (made by `create` on first use), or null. */
  writerIn<W extends DeferredWriter>(manager: EntityManager, key: string, create: () => W): W | null {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive || runner.isReleased) return null;
    let writers = pending.get(runner);
    if (!writers) pending.set(runner, (writers = new Map<string, DeferredWriter>()));
    let writer = writers.get(key) as W | undefined;
    if (!writer) writers.set(key, (writer = create()));
    return writer;
  }

  /** The writers' parts as one statement, sent now. */
  async writeNow(manager: EntityManager, writers: Iterable<DeferredWriter>): Promise<void> {
    const params: unknown[] = [];
    const bind: BindParameter = (value) => `$${params.push(value)}`;
    const tables: string[] = [];
    const effects: string[] = [];
    for (const writer of writers) {
      const part = writer.compose(bind);
      if (!part) continue;
      tables.push(...part.tables);
      effects.push(...part.effects);
    }
    if (tables.length === 0 && effects.length === 0) return;
    const prefix = tables.length > 0 ? `WITH ${tables.join(', ')} ` : '';
    await manager.query(`${prefix}SELECT ${effects.join(', ')}`, params);
  }

  async beforeTransactionStart(event: TransactionStartEvent): Promise<void> {
    await this.flush(event.queryRunner);
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    await this.flush(event.queryRunner);
  }

  beforeTransactionRollback(event: TransactionRollbackEvent): void {
    pending.delete(event.queryRunner);
  }

  private async flush(runner: QueryRunner): Promise<void> {
    const writers = pending.get(runner);
    if (!writers) return;
    pending.delete(runner);
    await this.writeNow(runner.manager, writers.values());
  }
}
