import type { OnApplicationShutdown } from '@nestjs/common';
import { checkTtl } from '../../contract/option-checks';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import {
  readRevision,
  saveConflict,
  UpdateQueue,
  type SessionRecordChange,
  type SessionUpdateOptions,
} from '../../contract/update-record';
import { pooledQuery } from './postgres-call';
import type { PostgresPool } from './postgres-client';
import { openPool } from './postgres-connection';
import { PostgresRows } from './postgres-rows';
import {
  resolvePostgresOptions,
  type PostgresSessionStoreOptions,
  type ResolvedPostgresSessionStoreOptions,
} from './postgres-session.options';
import { lockedMigrationSql, migrationSql } from './postgres-sql';

/** `migrate()` may wait this long (another instance may hold the migration lock). */
const MIGRATE_TIMEOUT = 30_000;

/**
 * Sessions in one PostgreSQL table, shared by every instance of the
 * application, through node-postgres (`pg`).
 *
 * One row per session (primary key `id`, an index on `expires_at`, a
 * `revision` column), created by {@link PostgresSessionStore.migrate} and
 * never at request time. Every call is one statement, one round trip:
 * `create` inserts unless a live row holds the id (the loser of a race gets a
 * fresh random id); `save` and `update` write only over the revision they
 * read; `touch` is one `UPDATE … WHERE id = $1 AND expires_at > now
 * RETURNING …`, so it cannot bring back a deleted or expired row (under
 * load, touches share such an UPDATE, one commit); `load`
 * never returns an expired row; `cleanupExpired` deletes in bounded batches,
 * each its own short transaction.
 *
 * Times are the application's, as records carry them (passed as parameters;
 * never the database's `now()`): keep the servers' clocks in sync.
 *
 * Every call is bounded by `statementTimeout` and rejects with
 * `SessionStoreError` kind `backend` when PostgreSQL does not answer; the same
 * store serves again once it is back. A pool passed to the constructor is the
 * caller's: the store never closes it. A store made by
 * {@link PostgresSessionStore.fromUrl} owns its pool and ends it when the Nest
 * application shuts down.
 */
export class PostgresSessionStore implements SessionStore, OnApplicationShutdown {
  private readonly options: ResolvedPostgresSessionStoreOptions;
  private readonly rows: PostgresRows;
  private readonly updates = new UpdateQueue();
  private closing?: Promise<void>;
  private owned = false;

  /**
   * @param pool a node-postgres `Pool` the caller owns and ends.
   * @throws InvalidOptionError naming the option when an option is invalid.
   */
  constructor(
    /** The pool the store queries (for health checks and tests). */
    readonly pool: PostgresPool,
    options: PostgresSessionStoreOptions = {},
  ) {
    this.options = resolvePostgresOptions(options);
    this.rows = new PostgresRows(pool, this.options);
  }

  /**
   * A store with its own pool to `url` (`postgres://…`; `pg` settings such as
   * `sslmode` go in the URL), ended on application shutdown. Its connections
   * get `statementTimeout` as the server's `statement_timeout` too.
   */
  static fromUrl(url: string, options?: PostgresSessionStoreOptions): PostgresSessionStore {
    const checked = resolvePostgresOptions(options);
    const pool = openPool(PostgresSessionStore.name, url, checked.statementTimeout);
    const store = new PostgresSessionStore(pool, checked);
    store.owned = true;
    return store;
  }

  /** The SQL `migrate()` applies for the default schema and table, or for `options`' names. */
  static migrationSql(options?: Pick<PostgresSessionStoreOptions, 'schema' | 'table'>): string {
    const { schema, table } = resolvePostgresOptions(options);
    return migrationSql(schema, table);
  }

  /** True when the store opened its pool itself (and so ends it). */
  get ownsConnection(): boolean {
    return this.owned;
  }

  /**
   * Creates the table, its expiry index and its quarantine table when
   * missing, and adds the `revision` column to a table of an earlier version;
   * idempotent, and safe when several instances run it at once (an advisory
   * lock orders them). Run it at deployment or boot, never per request. The
   * schema must exist.
   * Bounded by 30 s or `statementTimeout`, whichever is longer.
   */
  async migrate(): Promise<void> {
    const { schema, table, statementTimeout } = this.options;
    const text = lockedMigrationSql(schema, table);
    const timeout = Math.max(statementTimeout, MIGRATE_TIMEOUT);
    await pooledQuery(this.pool, 'migrate', undefined, timeout, { text });
  }

  /**
   * Inserts the record at revision 1 unless a live row holds its id (an
   * expired one is taken over); when the id is taken, assigns a fresh
   * `randomUUID()` and tries again. A record already expired is not written.
   */
  create(record: SessionRecord): Promise<SessionRecord> {
    return this.rows.create(record);
  }

  /**
   * Writes the record at its next revision, in one statement, unless a live
   * row of another revision holds the id (kind `conflict`, nothing written).
   */
  async save(record: SessionRecord): Promise<void> {
    const revision = readRevision(record);
    if ((await this.rows.put(record, 'save')) === 'conflict') {
      throw saveConflict(record.id, revision);
    }
  }

  /**
   * One SELECT: a decoded copy, `undefined` for unknown or expired ids. A row
   * this version cannot read is moved to the quarantine table (kept a day,
   * logged once) and the id is then unknown.
   */
  load(id: string): Promise<SessionRecord | undefined> {
    return this.rows.read(id);
  }

  /** Deletes the row; idempotent. */
  delete(id: string): Promise<void> {
    return this.rows.remove(id);
  }

  /**
   * One UPDATE: extends a live row (`lastAccessed` = now, `expiresAt` = now +
   * `ttlMs`; the revision is kept) and returns it. Unknown, deleted or expired
   * ids give `undefined` and nothing is written. A row this version cannot
   * read is moved aside as by `load`. When more touches of this store are
   * outstanding than its pool has connections less two, the touches called
   * meanwhile wait and then share one UPDATE (each with its own times and
   * expiry check; one commit for all), in call order for any one id.
   * @throws InvalidOptionError (a `RangeError`) when `ttlMs` is negative or not finite.
   */
  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    checkTtl(ttlMs);
    return this.rows.touch(id, ttlMs);
  }

  /**
   * Read-modify-write: a load, `change`, then an UPDATE only over the revision
   * read; when another write came in between, once more in a transaction that
   * holds the row's lock (so it cannot lose again; `options.retries` 0 rejects
   * with kind `conflict` instead). A row deleted or expired meanwhile is never
   * revived: `undefined`. This store's updates of one id run one after
   * another: only other instances' writes make an update try again.
   */
  update(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined> {
    return this.updates.run(id, () => this.rows.update(id, change, options));
  }

  /** Live rows: one `count(*)` over the expiry index's range. */
  count(): Promise<number> {
    return this.rows.count();
  }

  /**
   * Deletes expired rows in batches of `cleanupBatchSize` (one short statement
   * and transaction each, rows locked by others skipped) until a batch comes
   * back short; resolves to how many rows were deleted. After each full batch
   * it pauses as long as that batch took, so that requests keep their latency.
   * Each statement, not the sweep, is bounded by `statementTimeout`.
   */
  cleanupExpired(): Promise<number> {
    return this.rows.sweep();
  }

  /** Ends an owned pool; leaves a caller's pool open. Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.owned) return;
    this.closing ??= this.pool.end().catch(() => undefined);
    return this.closing;
  }
}
