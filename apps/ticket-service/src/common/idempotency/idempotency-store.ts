import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DataSource } from 'typeorm';
import {
  type BindParameter,
  CommitStatement,
  type DeferredWriter,
  type StatementPart,
} from '../../database/commit-statement';
import { JobScheduler } from '../jobs/job-scheduler';

export const IDEMPOTENCY_TTL_HOURS = 24;
/** A claim older than this whose request never finished (crashed process) may be taken over. */
const ABANDONED_AFTER_SECONDS = 120;
const SWEEP_INTERVAL_MS = 3_600_000;

export interface IdempotencyScope {
  userId: string;
  route: string;
  key: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

interface StoredKey {
  request_hash: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  response_status: number | null;
  response_body: unknown;
}

/**
 * Idempotency keys in the database, so they hold across restarts and instances. Claims are written in
 * their own short statements (outside the use case's transaction) so a concurrent retry sees them at once;
 * completions in the caller's transaction when there is one.
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: JobScheduler,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly commitStatement: CommitStatement,
  ) {}

  onModuleInit(): void {
    this.scheduler.schedule({
      name: 'idempotency-key-sweeper',
      intervalMs: SWEEP_INTERVAL_MS,
      run: () => this.sweepExpired(),
    });
  }

  /** Forgets keys past their 24 hours. */
  async sweepExpired(): Promise<number> {
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      'DELETE FROM idempotency_keys WHERE expires_at < now()',
    );
    return affected;
  }

  async claim(scope: IdempotencyScope, requestHash: string): Promise<Claim> {
    const params = [scope.userId, scope.route, scope.key];
    // One statement claims a new key, or takes over one that expired or whose request was abandoned. Its commit
    // does not wait for the WAL flush: the request's own commit flushes it, and a claim lost in a crash before
    // then leaves nothing to protect (the client's retry claims again).
    const inserted = await this.dataSource.query<unknown[]>(
      `INSERT INTO idempotency_keys (user_id, route, key, request_hash, state, expires_at)
       SELECT $1, $2, $3, $4, 'IN_PROGRESS', now() + make_interval(hours => $5)
       FROM (SELECT set_config('synchronous_commit', 'off', true)) AS deferred_flush
       ON CONFLICT (user_id, route, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'IN_PROGRESS', response_status = NULL,
             response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at < now()
            OR (idempotency_keys.state = 'IN_PROGRESS'
                AND idempotency_keys.created_at < now() - make_interval(secs => $6))
       RETURNING key`,
      [...params, requestHash, IDEMPOTENCY_TTL_HOURS, ABANDONED_AFTER_SECONDS],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    const [existing] = await this.dataSource.query<StoredKey[]>(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_keys
       WHERE user_id = $1 AND route = $2 AND key = $3`,
      params,
    );
    if (!existing) return this.claim(scope, requestHash); // removed by the expiry sweep in between
    if (existing.request_hash !== requestHash) return { kind: 'mismatch' };
    if (existing.state === 'IN_PROGRESS') return { kind: 'in_progress' };
    return { kind: 'replay', status: existing.response_status ?? 200, body: existing.response_body };
  }

  /** In the caller's transaction, the key's completion joins the statement it sends before COMMIT. */
  async complete(scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
    const manager = this.txHost.tx;
    const completion = new KeyCompletion(scope, status, body);
    const deferred = this.commitStatement.writerIn(manager, KeyCompletion.name, () => completion);
    if (deferred === null) return this.commitStatement.writeNow(manager, [completion]);
    if (deferred !== completion) throw new Error('A transaction completes one idempotency key');
  }

  /** A failed request frees its key: the client may retry it. */
  async release(scope: IdempotencyScope): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE user_id = $1 AND route = $2 AND key = $3 AND state = 'IN_PROGRESS'`,
      [scope.userId, scope.route, scope.key],
    );
  }
}

/** The stored response of a key's request. */
class KeyCompletion implements DeferredWriter {
  constructor(
    private readonly scope: IdempotencyScope,
    private readonly status: number,
    private readonly body: unknown,
  ) {}

  compose(bind: BindParameter): StatementPart {
    const { userId, route, key } = this.scope;
    return {
      tables: [
        `idempotency_key_completed AS (
           UPDATE idempotency_keys
           SET state = 'COMPLETED', response_status = ${bind(this.status)}, response_body = ${bind(JSON.stringify(this.body ?? null))}
           WHERE user_id = ${bind(userId)} AND route = ${bind(route)} AND key = ${bind(key)}
           RETURNING 1
         )`,
      ],
      effects: [],
    };
  }
}
