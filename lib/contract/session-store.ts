import type { SessionRecord } from './session-record';
import type { SessionRecordChange, SessionUpdateOptions } from './update-record';

/**
 * The storage contract for MCP session records, and the DI token of the
 * configured store: `constructor(private readonly sessions: SessionStore)`
 * injects it with no decorator.
 *
 * Every method rejects with a {@link SessionStoreError} on failure. Writes
 * refuse a record larger than the store's `maxRecordBytes`, or one JSON
 * cannot hold, with kind `encode`, and write nothing.
 */
export abstract class SessionStore {
  /**
   * Stores a new record at revision 1. When `record.id` is already taken,
   * assigns a fresh random id to `record.id` (the caller's object is updated)
   * and tries again.
   * @returns the stored record (the same object that was passed, `revision` 1).
   */
  abstract create(record: SessionRecord): Promise<SessionRecord>;

  /**
   * Writes the record under its id (the id is trusted), only if nothing else
   * wrote it since this copy was read: when the store holds a live record of
   * another `revision` (a concurrent `save` or `update`, or a record created
   * since a fresh one was built), it rejects with kind `conflict` and writes
   * nothing, so a load, change and save never silently overwrites another
   * write. With no live record under the id, it inserts. On success
   * `record.revision` is the new revision (the caller's object is updated).
   * A `touch` is not a write: it never makes a later save conflict.
   *
   * Blind overwrites are not offered: a save cannot tell a newer write it
   * would destroy from an older one. For load -> change -> write, prefer
   * {@link SessionStore.update} (or `updateRecord`), which retries instead
   * of failing; a plain save is right for a record this caller created or
   * has just read.
   */
  abstract save(record: SessionRecord): Promise<void>;

  /** A copy of the record, or `undefined` when the id is unknown or expired. */
  abstract load(id: string): Promise<SessionRecord | undefined>;

  /** Removes the record. Idempotent: an unknown id is not an error. */
  abstract delete(id: string): Promise<void>;

  /**
   * Loads and extends a live record in one step (`lastAccessed` = now,
   * `expiresAt` = now + `ttlMs`; the revision is kept). Unknown or expired
   * ids give `undefined` and nothing is written: a touch never re-creates a
   * deleted session.
   */
  touch?(id: string, ttlMs: number): Promise<SessionRecord | undefined>;

  /**
   * Read-modify-write of the live record `id`, atomic: `change` gets a copy
   * and changes it in place (synchronously); the store writes it at the next
   * revision only if no other write came in between, and otherwise applies
   * the change again to a fresh copy (at most `options.retries` times, after
   * a short random pause), so that concurrent updates never lose one another.
   * An unknown, deleted or expired id gives `undefined`: nothing is written,
   * `change` is not called, and a record deleted meanwhile is never revived.
   * When `change` throws, nothing is written and the update rejects with
   * that error.
   * @returns the record as written (a copy).
   * @throws SessionStoreError kind `conflict` when every attempt lost the
   *   race; kind `encode` when the changed record cannot be stored.
   */
  update?(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined>;

  /** Removes expired records; resolves to how many were removed. */
  cleanupExpired?(): Promise<number>;

  /** How many live (unexpired) records the store holds. */
  count?(): Promise<number>;
}
