import type { Logger } from '@nestjs/common';
import type { SessionInvalidationChannel } from '../../interfaces/session-invalidation.interface';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { touchOrExtend } from '../../contract/touch-or-extend';
import {
  type SessionRecordChange,
  type SessionUpdateOptions,
  UpdateQueue,
  updateRecord,
} from '../../contract/update-record';
import type { CacheIndex } from './cache-index';
import type { CacheTier } from './cache-tier';
import { DEFAULT_TOUCH_FRACTION, type ResolvedCachingOptions } from './caching-session.options';

/** How {@link BackendTier.read} asks the backend. */
export type ReadMode = 'load' | 'touch' | 'revalidate';

/**
 * Runs a backend call; a failure rejects with `SessionStoreError` (a store's
 * own `SessionStoreError` is kept, other errors become kind `backend`).
 */
export async function backendCall<T>(op: string, id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const about = id === '' ? '' : ` of ${shortId(id)}`;
    throw SessionStoreError.backend(`backend ${op}${about} failed`, error);
  }
}

/**
 * The shared store as `CachingSessionStore` uses it: failures reject with
 * `SessionStoreError`, and each record the backend confirms is copied into
 * the cache, unless an invalidation raced the call (see {@link CacheIndex}).
 */
export class BackendTier {
  private readonly channel?: SessionInvalidationChannel;
  private readonly touchInterval?: number;
  private readonly serveStaleOnError: boolean;
  private readonly fills = new UpdateQueue();

  constructor(
    private readonly store: SessionStore,
    private readonly index: CacheIndex,
    private readonly cache: CacheTier,
    options: ResolvedCachingOptions,
    private readonly logger: Logger,
  ) {
    this.channel = options.channel;
    this.touchInterval = options.touchInterval;
    this.serveStaleOnError = options.serveStaleOnError;
  }

  /** Cached copies are trusted only while invalidations can reach us. */
  trusting(): boolean {
    return this.channel === undefined || this.channel.connected;
  }

  /** True when `touched`'s expiry is less than `touchInterval` past the backend's. */
  lagsLess(touched: SessionRecord, ttlMs: number, backendExpiresAt: number): boolean {
    const interval = this.touchInterval ?? ttlMs * DEFAULT_TOUCH_FRACTION;
    return touched.lastAccessed.getTime() + ttlMs - backendExpiresAt < interval;
  }

  /** Writes `record` to the backend (`create` may give it a new id), then caches it. */
  async write(op: 'create' | 'save', record: SessionRecord): Promise<void> {
    const start = this.index.begin();
    const startedAt = Date.now();
    try {
      await backendCall<unknown>(op, record.id, () =>
        op === 'create' ? this.store.create(record) : this.store.save(record),
      );
      await this.fill(record.id, record, start, startedAt);
    } finally {
      this.index.finish();
    }
  }

  /**
   * The backend's update (`updateRecord`: its own `update`, or load, change
   * and save), then the cache fill; a record gone from the backend is dropped
   * here too. The change's own error is rethrown as it is.
   */
  async update(
    id: string,
    change: SessionRecordChange,
    options: SessionUpdateOptions | undefined,
  ): Promise<SessionRecord | undefined> {
    const start = this.index.begin();
    const startedAt = Date.now();
    let refused: { error: unknown } | undefined;
    const guarded: SessionRecordChange = (record) => {
      try {
        change(record);
      } catch (error) {
        refused = { error };
        throw error;
      }
    };
    try {
      let record: SessionRecord | undefined;
      try {
        record = await updateRecord(this.store, id, guarded, options);
      } catch (error) {
        if (refused !== undefined && refused.error === error) throw error;
        throw SessionStoreError.backend(`backend update of ${shortId(id)} failed`, error);
      }
      if (record === undefined) this.index.invalidate(id);
      else await this.fill(id, record, start, startedAt);
      return record;
    } finally {
      this.index.finish();
    }
  }

  /**
   * One backend call (a `load`, or a `touch` that also extends the expiry),
   * then the cache fill. `revalidate` is a touch that stays local: the record
   * is read and extended here, unless its stored expiry turns out too old.
   */
  async read(id: string, ttlMs: number, mode: ReadMode): Promise<SessionRecord | undefined> {
    const start = this.index.begin();
    const startedAt = Date.now();
    try {
      let record: SessionRecord | undefined;
      try {
        record = await (mode === 'touch'
          ? touchOrExtend(this.store, id, ttlMs)
          : this.store.load(id));
        if (record !== undefined && mode === 'revalidate') {
          const stored = record.expiresAt.getTime();
          if (this.lagsLess(record.touch(ttlMs), ttlMs, stored)) {
            await this.fill(id, record, start, startedAt, stored);
            return record;
          }
          record = await touchOrExtend(this.store, id, ttlMs);
        }
      } catch (error) {
        const copy = this.serveStaleOnError
          ? await this.cache.run(id, (cache) =>
              mode === 'load' ? cache.load(id) : touchOrExtend(cache, id, ttlMs),
            )
          : undefined;
        if (copy !== undefined) {
          this.logger.warn(`Backend failed; serving the cached copy of ${shortId(id)}`);
          return copy;
        }
        throw SessionStoreError.backend(`backend ${mode} of ${shortId(id)} failed`, error);
      }
      if (record === undefined) {
        this.index.invalidate(id);
      } else {
        await this.fill(id, record, start, startedAt);
      }
      return record;
    } finally {
      this.index.finish();
    }
  }

  /**
   * Copies a record the backend confirmed (asked at `startedAt`; it expires
   * there at `backendExpiresAt`) into the cache, unless an invalidation raced
   * it or a later revision is cached already (a read that started before a
   * write of this instance, answered after it). The fills of one id run one
   * after another, so that the copy cached is the one confirmed.
   */
  private fill(
    id: string,
    record: SessionRecord,
    start: number,
    startedAt: number,
    backendExpiresAt: number = record.expiresAt.getTime(),
  ): Promise<void> {
    return this.fills.run(id, async () => {
      if (!this.trusting() || !this.index.mayFill(id, start)) return;
      if (this.index.holdsNewer(id, record.revision, Date.now())) return;
      if (!(await this.cache.put(record))) return;
      // Checked again: an invalidation may have come while the cache wrote.
      if (this.trusting() && this.index.mayFill(id, start)) {
        this.index.confirm(id, backendExpiresAt, startedAt, record.revision);
      } else {
        this.cache.drop(id);
      }
    });
  }
}
