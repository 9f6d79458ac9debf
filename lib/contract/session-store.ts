import type { SessionRecord } from './session-record';

/**
 * The storage contract for MCP session records, and the DI token of the
 * configured store: `constructor(private readonly sessions: SessionStore)`
 * injects it with no decorator.
 *
 * Every method rejects with a {@link SessionStoreError} on failure.
 */
export abstract class SessionStore {
  /**
   * Stores a new record. When `record.id` is already taken, assigns a fresh
   * random id to `record.id` (the caller's object is updated) and tries again.
   * @returns the stored record (the same object that was passed).
   */
  abstract create(record: SessionRecord): Promise<SessionRecord>;

  /** Upserts the record under its id (the id is trusted). */
  abstract save(record: SessionRecord): Promise<void>;

  /** A copy of the record, or `undefined` when the id is unknown or expired. */
  abstract load(id: string): Promise<SessionRecord | undefined>;

  /** Removes the record. Idempotent: an unknown id is not an error. */
  abstract delete(id: string): Promise<void>;

  /**
   * Loads and extends a live record in one step (`lastAccessed` = now,
   * `expiresAt` = now + `ttlMs`). Unknown or expired ids give `undefined` and
   * nothing is written: a touch never re-creates a deleted session.
   */
  touch?(id: string, ttlMs: number): Promise<SessionRecord | undefined>;

  /** Removes expired records; resolves to how many were removed. */
  cleanupExpired?(): Promise<number>;

  /** How many live (unexpired) records the store holds. */
  count?(): Promise<number>;
}
