import type { Logger } from '@nestjs/common';
import { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { errorMessage, shortId } from '../../contract/session-store.error';

/**
 * The cache store as `CachingSessionStore` uses it off its hot path: a cache
 * failure is logged (never with a whole session id) and read as "no copy",
 * never thrown to the caller.
 */
export class CacheTier {
  constructor(
    /** The cache store. */
    private readonly store: SessionStore,
    private readonly logger: Logger,
  ) {}

  /** Logs a failed cache call. */
  failed(id: string, error: unknown): void {
    this.logger.warn(`Cache failed for ${shortId(id)}: ${errorMessage(error)}`);
  }

  /** Runs a cache call; resolves to `undefined` when it fails. */
  async run<T>(id: string, call: (cache: SessionStore) => Promise<T>): Promise<T | undefined> {
    try {
      return await call(this.store);
    } catch (error) {
      this.failed(id, error);
      return undefined;
    }
  }

  /**
   * Stores a copy of `record`, at the backend's revision: whatever copy the
   * cache held goes first, then a save of the revision before (a save writes
   * the next one). @returns false (logged) when the cache failed.
   */
  async put(record: SessionRecord): Promise<boolean> {
    const copy = SessionRecord.restore({ ...record, revision: record.revision - 1 });
    try {
      await this.store.delete(record.id);
      await this.store.save(copy);
      return true;
    } catch (error) {
      this.logger.warn(`Could not cache ${shortId(record.id)}: ${errorMessage(error)}`);
      return false;
    }
  }

  /** Removes the copy of `id`, without waiting. */
  drop(id: string): void {
    void this.run(id, (cache) => cache.delete(id));
  }
}
