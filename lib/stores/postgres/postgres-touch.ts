import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { answeredByServer, pooledQuery } from './postgres-call';
import type { PostgresPool, PostgresQuery } from './postgres-client';

/** Shared touch statements of one store in flight at once. */
export const SHARED_IN_FLIGHT = 2;
/** node-postgres' default pool size, for a pool that does not say its own. */
const DEFAULT_POOL_MAX = 10;
/** At most this many ids in one statement. */
export const TOUCH_BATCH = 100;

/** What a touch read of a live row: format, revision, record, createdAt (as column text). */
export type TouchedRow = [unknown, unknown, unknown, unknown];

interface Pending {
  id: string;
  now: number;
  expiresAt: number;
  /** `performance.now()` by which the touch settles (its `statementTimeout`). */
  deadline: number;
  resolve(row: TouchedRow | undefined): void;
  reject(error: unknown): void;
}

/**
 * Group commit on the client. While no more touches of a store are
 * outstanding than its pool has connections (less {@link SHARED_IN_FLIGHT}),
 * each touch is its own statement, sent at once. Beyond that (touches would
 * soon wait for a connection anyway), they wait for one of at most
 * {@link SHARED_IN_FLIGHT} shared statements to come back and then go together: up to {@link TOUCH_BATCH} distinct ids in one
 * UPDATE (one transaction, one commit, one WAL flush), each id with its own
 * now and expiry. A shared statement never
 * waits for a row lock: a row another transaction holds is touched again on
 * its own (waiting, as an unbatched touch does), outside the batches. A
 * statement the server refuses is retried touch by touch. Each touch settles
 * within its own `statementTimeout` from the call.
 */
export class TouchBatcher {
  private waiting: Pending[] = [];
  /** The touch of each id being written now: a later touch of that id waits for it. */
  private readonly writing = new Map<string, Pending>();
  /** Touches called and not settled yet. */
  private outstanding = 0;
  /** Shared statements in flight. */
  private shared = 0;
  /** While at most this many touches are outstanding, each goes alone: the pool's size less the shared statements'. */
  private readonly aloneUpTo: number;

  constructor(
    private readonly pool: PostgresPool,
    private readonly one: PostgresQuery,
    private readonly many: PostgresQuery,
    private readonly timeoutMs: number,
  ) {
    const max = (pool.options as { max?: unknown } | undefined)?.max;
    const size = typeof max === 'number' && max >= 1 ? max : DEFAULT_POOL_MAX;
    this.aloneUpTo = Math.max(1, size - SHARED_IN_FLIGHT);
  }

  /** Touches the live row `id`: resolves to what it read, `undefined` when no live row holds `id`. */
  touch(id: string, now: number, expiresAt: number): Promise<TouchedRow | undefined> {
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + this.timeoutMs;
      const settled = (): void => {
        this.outstanding--;
        if (this.writing.get(id) !== pending) return;
        this.writing.delete(id);
        this.drain();
      };
      const pending: Pending = {
        id,
        now,
        expiresAt,
        deadline,
        resolve: (row) => (resolve(row), settled()),
        reject: (error) => (reject(error), settled()),
      };
      this.outstanding++;
      this.waiting.push(pending);
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const alone = this.outstanding <= this.aloneUpTo;
      if (!alone && this.shared >= SHARED_IN_FLIGHT) return;
      const batch = this.take(alone ? 1 : TOUCH_BATCH);
      if (batch.length === 0) return;
      if (alone) {
        void this.alone(batch[0]);
        continue;
      }
      this.shared++;
      // One touch: the one-row statement, cheaper than the shared one.
      const sent = batch.length === 1 ? this.alone(batch[0]) : this.together(batch);
      void sent.finally(() => {
        this.shared--;
        this.drain();
      });
    }
  }

  /**
   * Up to TOUCH_BATCH waiting touches of distinct ids, oldest first. A touch
   * of an id being written waits: one store's touches of an id are written in
   * the order they were called.
   */
  private take(most: number): Pending[] {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    const now = performance.now();
    for (const pending of this.waiting) {
      if (pending.deadline <= now) pending.reject(this.timedOut(pending.id));
      else if (batch.length === most || this.writing.has(pending.id)) later.push(pending);
      else {
        this.writing.set(pending.id, pending);
        batch.push(pending);
      }
    }
    this.waiting = later;
    return batch;
  }

  /** One touch, one statement (waits for a row another transaction holds, as it always did). */
  private async alone(pending: Pending): Promise<void> {
    const { id, now, expiresAt, deadline } = pending;
    const left = deadline - performance.now();
    if (left <= 0) return pending.reject(this.timedOut(id));
    try {
      const query = { ...this.one, values: [id, now, expiresAt] };
      const { rows } = await pooledQuery(this.pool, 'touch', id, left, query);
      pending.resolve(rows.length === 0 ? undefined : (rows[0] as TouchedRow));
    } catch (error) {
      pending.reject(error);
    }
  }

  private async together(batch: Pending[]): Promise<void> {
    const left = Math.min(...batch.map((pending) => pending.deadline)) - performance.now();
    const values = [batch.map((p) => p.id), batch.map((p) => p.now), batch.map((p) => p.expiresAt)];
    let rows: unknown[][];
    try {
      const op = `touch of ${batch.length} sessions`;
      const query = { ...this.many, values };
      rows = (await pooledQuery(this.pool, op, undefined, left, query)).rows as unknown[][];
    } catch (error) {
      // A statement the server refused: each touch alone, so that one
      // touch's error (an id the database's encoding cannot hold) stays its own.
      const refused = error instanceof SessionStoreError && answeredByServer(error.cause);
      for (const pending of batch) {
        if (refused) void this.alone(pending);
        else pending.reject(error);
      }
      return;
    }
    const byId = new Map<unknown, unknown[]>();
    for (const row of rows) byId.set(row[0], row);
    for (const pending of batch) {
      const row = byId.get(pending.id);
      if (row?.[1] != null) pending.resolve(row.slice(1, 5) as TouchedRow);
      // Held by another transaction: alone, outside the batches, waiting for it.
      else if (row?.[5] === 't') void this.alone(pending);
      else pending.resolve(undefined);
    }
  }

  private timedOut(id: string): SessionStoreError {
    const message = `touch of session ${shortId(id)}: PostgreSQL did not answer within ${this.timeoutMs} ms (statementTimeout)`;
    return new SessionStoreError('backend', message);
  }
}
