import { randomUUID } from 'node:crypto';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { checkTtl } from '../../contract/option-checks';
import { pooledQuery } from './postgres-call';
import { openPool } from './postgres-connection';
import type { PostgresPool, PostgresQuery } from './postgres-client';
import { decodeRow, encodeRow, storableId } from './postgres-record.codec';
import {
  resolvePostgresOptions,
  type PostgresSessionStoreOptions,
  type ResolvedPostgresSessionStoreOptions,
} from './postgres-session.options';
import {
  lockedMigrationSql,
  migrationSql,
  statements,
  type PostgresStatements,
} from './postgres-sql';

/** `migrate()` may wait this long (another instance may hold the migration lock). */
const MIGRATE_TIMEOUT = 30_000;

/**
 * Sessions in one PostgreSQL table, shared by every instance of the
 * application, through node-postgres (`pg`).
 *
 * One row per session (primary key `id`, an index on `expires_at`), created
 * by {@link PostgresSessionStore.migrate} and never at request time. Every
 * call is one statement, one round trip: `create` inserts unless a live row
 * holds the id (the loser of a race gets a fresh random id); `touch` is one
 * `UPDATE … WHERE id = $1 AND expires_at > now RETURNING …`, so it cannot
 * bring back a deleted or expired row; `load` never returns an expired row;
 * `cleanupExpired` deletes in bounded batches, each its own short transaction.
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
  private readonly sql: PostgresStatements;
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
    const { schema, table, preparedStatements: prepared, synchronousCommit } = this.options;
    this.sql = statements(schema, table, { prepared, synchronousCommit });
  }

  /**
   * A store with its own pool to `url` (`postgres://…`; `pg` options such as
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
   * Creates the table and its expiry index when missing; idempotent, and safe
   * when several instances run it at once (an advisory lock orders them). Run
   * it at deployment or boot, never per request. The schema must exist.
   * Bounded by 30 s or `statementTimeout`, whichever is longer.
   */
  async migrate(): Promise<void> {
    const { schema, table, statementTimeout } = this.options;
    const text = lockedMigrationSql(schema, table);
    const timeout = Math.max(statementTimeout, MIGRATE_TIMEOUT);
    await pooledQuery(this.pool, 'migrate', undefined, timeout, { text });
  }

  /**
   * Inserts the record unless a live row holds its id (an expired one is taken
   * over); when the id is taken, assigns a fresh `randomUUID()` and tries
   * again. A record whose `expiresAt` has already passed is not written.
   */
  async create(record: SessionRecord): Promise<SessionRecord> {
    const row = encodeRow(record);
    const now = Date.now();
    // An already expired record would be invisible at once: nothing to store.
    if (row[3] <= now) return record;
    for (;;) {
      row[0] = record.id;
      const { rowCount } = await this.run(this.sql.create, 'create', record.id, [...row, now]);
      if (rowCount === 1) return record;
      record.id = randomUUID();
    }
  }

  /** Upserts the record under its id (a record saved already expired stays invisible). */
  async save(record: SessionRecord): Promise<void> {
    await this.run(this.sql.save, 'save', record.id, encodeRow(record));
  }

  /** One SELECT: a decoded copy, `undefined` for unknown or expired ids, kind `decode` for a corrupt row. */
  async load(id: string): Promise<SessionRecord | undefined> {
    if (!storableId(id)) return undefined;
    const { rows } = await this.run(this.sql.load, 'load', id, [id, Date.now()]);
    if (rows.length === 0) return undefined;
    const [format, raw, created, accessed, expires] = rows[0] as unknown[];
    return decodeRow(id, format, raw, created, accessed, expires);
  }

  /** Deletes the row; idempotent. */
  async delete(id: string): Promise<void> {
    if (!storableId(id)) return;
    await this.run(this.sql.delete, 'delete', id, [id]);
  }

  /**
   * One UPDATE: extends a live row (`lastAccessed` = now, `expiresAt` = now +
   * `ttlMs`) and returns it. Unknown, deleted or expired ids give `undefined`
   * and nothing is written. A row of an unknown format gets its times
   * extended, then the call rejects with kind `decode`.
   * @throws InvalidOptionError (a `RangeError`) when `ttlMs` is negative or not finite.
   */
  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    checkTtl(ttlMs);
    if (!storableId(id)) return undefined;
    const now = Date.now();
    const expiresAt = now + Math.floor(ttlMs);
    const { rows } = await this.run(this.sql.touch, 'touch', id, [id, now, expiresAt]);
    if (rows.length === 0) return undefined;
    const [format, raw, created] = rows[0] as unknown[];
    return decodeRow(id, format, raw, created, now, expiresAt);
  }

  /** Live rows: one `count(*)` over the expiry index's range. */
  async count(): Promise<number> {
    const { rows } = await this.run(this.sql.count, 'count', undefined, [Date.now()]);
    return Number((rows[0] as unknown[])[0]);
  }

  /**
   * Deletes expired rows in batches of `cleanupBatchSize` (one short statement
   * and transaction each, rows locked by others skipped) until a batch comes
   * back short; resolves to how many rows were deleted. After each full batch
   * it pauses as long as that batch took, so that requests keep their latency.
   * Each statement, not the sweep, is bounded by `statementTimeout`.
   */
  async cleanupExpired(): Promise<number> {
    const batch = this.options.cleanupBatchSize;
    const now = Date.now();
    let removed = 0;
    for (;;) {
      const began = performance.now();
      const { rowCount } = await this.run(this.sql.cleanup, 'cleanupExpired', undefined, [
        now,
        batch,
      ]);
      removed += rowCount ?? 0;
      if (rowCount !== batch) return removed;
      await new Promise((resolve) => setTimeout(resolve, performance.now() - began));
    }
  }

  /** Ends an owned pool; leaves a caller's pool open. Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.owned) return;
    this.closing ??= this.pool.end().catch(() => undefined);
    return this.closing;
  }

  /** Runs one statement bounded by `statementTimeout`; any failure becomes kind `backend`. */
  private run(sql: PostgresQuery, op: string, id: string | undefined, values: unknown[]) {
    return pooledQuery(this.pool, op, id, this.options.statementTimeout, { ...sql, values });
  }
}
