import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../../contract/session-record';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import {
  applyChange,
  readRevision,
  retriesOf,
  type SessionRecordChange,
  type SessionUpdateOptions,
  type WriteOutcome,
} from '../../contract/update-record';
import { pooledQuery } from './postgres-call';
import type { PostgresPool, PostgresQuery, PostgresResult } from './postgres-client';
import { encodeRow, storableId } from './postgres-record.codec';
import { decodeOrMove, type ReadRow } from './postgres-quarantine';
import type { ResolvedPostgresSessionStoreOptions } from './postgres-session.options';
import { statements, type PostgresStatements } from './postgres-sql';
import { TouchBatcher } from './postgres-touch';
import { pooledTransaction } from './postgres-transaction';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The row operations of `PostgresSessionStore`, one statement each, bounded
 * by `statementTimeout`. Times are the application's clock, passed as
 * parameters. Ids PostgreSQL `text` cannot hold are unknown (no query).
 */
export class PostgresRows {
  private readonly sql: PostgresStatements;
  private readonly touches: TouchBatcher;

  constructor(
    private readonly pool: PostgresPool,
    private readonly options: ResolvedPostgresSessionStoreOptions,
  ) {
    const { schema, table, preparedStatements: prepared, synchronousCommit } = options;
    this.sql = statements(schema, table, { prepared, synchronousCommit });
    const { touch, touchMany } = this.sql;
    this.touches = new TouchBatcher(pool, touch, touchMany, options.statementTimeout);
  }

  /** Inserts at revision 1 unless a live row holds the id; a taken id gets a fresh `randomUUID()`. */
  async create(record: SessionRecord): Promise<SessionRecord> {
    const row = encodeRow(record, this.options.maxRecordBytes);
    const now = Date.now();
    // An already expired record would be invisible at once: nothing to store.
    if (row[3] > now) {
      for (;;) {
        row[0] = record.id;
        const { rowCount } = await this.run(this.sql.create, 'create', record.id, [...row, now]);
        if (rowCount === 1) break;
        record.id = randomUUID();
      }
    }
    record.revision = 1;
    return record;
  }

  /**
   * Writes `record` at its next revision if the live row is still the
   * revision it was read at: a save inserts when no live row holds the id, an
   * update does not. On success `record.revision` is the new revision.
   */
  async put(record: SessionRecord, mode: 'save' | 'update'): Promise<WriteOutcome> {
    const revision = readRevision(record);
    const values = [...encodeRow(record, this.options.maxRecordBytes), Date.now(), revision];
    const { rows, rowCount } = await this.run(this.sql[mode], mode, record.id, values);
    if (mode === 'save') {
      if (rowCount !== 1) return 'conflict';
    } else {
      const [written, live] = rows[0] as unknown[];
      if (written === null) return live === 't' ? 'conflict' : 'gone';
    }
    record.revision = revision + 1;
    return 'written';
  }

  /**
   * Read-modify-write of the live row `id`: first optimistically (a read, the
   * change, a write over the revision read: two round trips, no lock); when
   * another write came in between, once more in a transaction holding the
   * row's lock (SELECT … FOR UPDATE), where it cannot lose again. A row
   * deleted or expired meanwhile gives `undefined` and is never revived.
   */
  async update(
    id: string,
    change: SessionRecordChange,
    options: SessionUpdateOptions | undefined,
  ): Promise<SessionRecord | undefined> {
    const retries = retriesOf(options);
    const record = await this.read(id);
    if (record === undefined) return undefined;
    applyChange(record, change);
    const outcome = await this.put(record, 'update');
    if (outcome !== 'conflict') return outcome === 'written' ? record : undefined;
    if (retries === 0) {
      const message = `update of session ${shortId(id)}: 1 attempt lost to a concurrent write`;
      throw new SessionStoreError('conflict', message);
    }
    const timeout = this.options.statementTimeout;
    return pooledTransaction(this.pool, 'update', id, timeout, async (query) => {
      const { rows } = await query({ ...this.sql.lock, values: [id, Date.now()] });
      if (rows.length === 0) return undefined;
      const move = async (values: unknown[]) =>
        (await query({ ...this.sql.quarantine, values })).rowCount === 1;
      // Locked: an unreadable row is moved aside (never `null`).
      const locked = await decodeOrMove(id, rows[0] as ReadRow, move);
      if (!locked) return undefined;
      applyChange(locked, change);
      const read = locked.revision;
      const values = [...encodeRow(locked, this.options.maxRecordBytes), Date.now(), read];
      const written = await query({ ...this.sql.update, values });
      // Under the lock only expiry (between the two statements) can stop it.
      if ((written.rows[0] as unknown[])[0] === null) return undefined;
      locked.revision = read + 1;
      return locked;
    });
  }

  /** A decoded copy of the live row, or `undefined`; an unreadable row is moved aside. */
  async read(id: string): Promise<SessionRecord | undefined> {
    if (!storableId(id)) return undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows } = await this.run(this.sql.load, 'load', id, [id, Date.now()]);
      if (rows.length === 0) return undefined;
      const record = await decodeOrMove(id, rows[0] as ReadRow, this.move(id));
      if (record !== null) return record;
    }
    return undefined;
  }

  /**
   * Extends the live row (`lastAccessed` = now, `expiresAt` = now + `ttlMs`)
   * and returns it, or `undefined`; under load, touches share statements ({@link TouchBatcher}).
   */
  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    if (!storableId(id)) return undefined;
    const now = Date.now();
    const expiresAt = now + Math.floor(ttlMs);
    const touched = await this.touches.touch(id, now, expiresAt);
    if (touched === undefined) return undefined;
    const [format, revision, raw, created] = touched;
    const row: ReadRow = [format, revision, raw, created, now, expiresAt];
    return (await decodeOrMove(id, row, this.move(id))) ?? this.read(id);
  }

  /** Deletes the row, if any. */
  async remove(id: string): Promise<void> {
    if (storableId(id)) await this.run(this.sql.delete, 'delete', id, [id]);
  }

  /** Live rows, counted on the expiry index. */
  async count(): Promise<number> {
    const { rows } = await this.run(this.sql.count, 'count', undefined, [Date.now()]);
    return Number((rows[0] as unknown[])[0]);
  }

  /**
   * Deletes rows expired before now in batches of `cleanupBatchSize`, pausing
   * after each full batch as long as it took; resolves to how many. Then
   * drops the quarantined rows whose day has passed (not counted).
   */
  async sweep(): Promise<number> {
    const batch = this.options.cleanupBatchSize;
    const now = Date.now();
    let removed = 0;
    for (;;) {
      const began = performance.now();
      const values = [now, batch];
      const { rowCount } = await this.run(this.sql.cleanup, 'cleanupExpired', undefined, values);
      removed += rowCount ?? 0;
      if (rowCount !== batch) break;
      await pause(performance.now() - began);
    }
    await this.run(this.sql.purge, 'cleanupExpired', undefined, [now]);
    return removed;
  }

  /** The quarantine statement for `id`, as {@link decodeOrMove} runs it. */
  private move(id: string) {
    return async (values: unknown[]) =>
      (await this.run(this.sql.quarantine, 'quarantine', id, values)).rowCount === 1;
  }

  /** Runs one statement bounded by `statementTimeout`; any failure becomes kind `backend`. */
  private run(
    sql: PostgresQuery,
    op: string,
    id: string | undefined,
    values: unknown[],
  ): Promise<PostgresResult> {
    return pooledQuery(this.pool, op, id, this.options.statementTimeout, { ...sql, values });
  }
}
