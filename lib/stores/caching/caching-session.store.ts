import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SessionInvalidationChannel } from '../../interfaces/session-invalidation.interface';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { CacheIndex } from './cache-index';
import { CacheTier } from './cache-tier';
import { backendCall, shutdownParts, touchStore } from './caching-session.calls';
import {
  type CachingSessionStoreOptions,
  DEFAULT_TOUCH_FRACTION,
  resolveCachingOptions,
} from './caching-session.options';

/** How `read` asks the backend. */
type ReadMode = 'load' | 'touch' | 'revalidate';

/**
 * A local tier (`cache`, typically a `MemorySessionStore` of its own) in front
 * of a shared `store` (typically a `RedisSessionStore`). The backend is the
 * truth: writes go to it first, then to the cache; `create` takes its id from
 * it. `load` and `touch` are answered from the cache while the copy is trusted.
 *
 * **Coherence.** `save` and `delete` publish an invalidation on `channel`;
 * another instance's change is seen within the channel's latency, or at most
 * `cacheTtl` if a message is lost. While the channel is disconnected the cache
 * is bypassed, and it is emptied when the channel reconnects.
 *
 * **Throttled touches.** A touch extends the cached copy every time but sends
 * it to the backend (one `touch`, which also refreshes the copy) only when the
 * backend's expiry would trail the new one by `touchInterval` or more: the
 * backend's expiry never lags the true one by more than `touchInterval`. A
 * copy older than `cacheTtl` is revalidated by one backend `load`.
 *
 * Round trips: none for a trusted hit; one per miss or revalidation; `create`
 * one; `save` and `delete` one plus the channel's publish.
 *
 * Backend failures reject with `SessionStoreError` kind `backend` (no cached
 * copy is served unless `serveStaleOnError`); cache failures are logged and the
 * call goes to the backend. The cache must belong to this store alone.
 */
export class CachingSessionStore implements SessionStore, OnApplicationShutdown {
  private readonly logger = new Logger(CachingSessionStore.name);
  private readonly index: CacheIndex;
  private readonly tier: CacheTier;
  /** `index.entries`, read on every request. */
  private readonly entries: CacheIndex['entries'];
  private readonly channel?: SessionInvalidationChannel;
  private readonly touchInterval?: number;
  private readonly serveStaleOnError: boolean;
  private readonly unsubscribe?: () => void;

  /** How many live records the backend holds (present when the backend has `count`). */
  readonly count?: () => Promise<number>;

  /**
   * @param cache the local tier; only this store may use it.
   * @param store the shared backend, the truth.
   * @throws Error naming the option when an option is invalid.
   */
  constructor(
    private readonly cache: SessionStore,
    private readonly store: SessionStore,
    options: CachingSessionStoreOptions = {},
  ) {
    const resolved = resolveCachingOptions(options);
    this.tier = new CacheTier(cache, this.logger);
    this.channel = resolved.channel;
    this.touchInterval = resolved.touchInterval;
    this.serveStaleOnError = resolved.serveStaleOnError;
    this.index = new CacheIndex(resolved.maxEntries, resolved.cacheTtl, (id) => this.tier.drop(id));
    this.entries = this.index.entries;
    this.unsubscribe = this.channel?.subscribe(this.index);
    if (typeof store.count === 'function') {
      this.count = () => backendCall('count', '', () => store.count!());
    }
  }

  async create(record: SessionRecord): Promise<SessionRecord> {
    const start = this.index.begin();
    const startedAt = Date.now();
    try {
      await backendCall('create', record.id, () => this.store.create(record));
      await this.fill(record.id, record, start, startedAt);
    } finally {
      this.index.finish();
    }
    return record;
  }

  async save(record: SessionRecord): Promise<void> {
    const id = record.id;
    this.index.invalidate(id);
    const start = this.index.begin();
    const startedAt = Date.now();
    try {
      await backendCall('save', id, () => this.store.save(record));
      await this.fill(id, record, start, startedAt);
    } finally {
      this.index.finish();
    }
    await this.publish(id);
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    const entry = this.trusting() ? this.entries.get(id) : undefined;
    if (entry !== undefined && Date.now() < entry.trustUntil) {
      entry.used = true;
      try {
        const cached = await this.cache.load(id);
        if (cached !== undefined) return cached;
      } catch (error) {
        this.tier.failed(id, error);
      }
    }
    return this.read(id, 0, 'load');
  }

  async delete(id: string): Promise<void> {
    // Dropped locally first: whatever the backend answers, no copy survives.
    this.index.invalidate(id);
    await backendCall('delete', id, () => this.store.delete(id));
    await this.publish(id);
  }

  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const entry =
      this.channel === undefined || this.channel.connected ? this.entries.get(id) : undefined;
    if (entry !== undefined) {
      // The cached copy is extended on every touch. The hot path reads "now"
      // from the touched copy (`lastAccessed`) rather than the clock again.
      let cached: SessionRecord | undefined;
      try {
        cached = await (this.cache.touch !== undefined
          ? this.cache.touch(id, ttlMs)
          : touchStore(this.cache, id, ttlMs));
      } catch (error) {
        this.tier.failed(id, error);
      }
      // While the backend's expiry trails the new one by less than
      // touchInterval, the touch stays local: served from the copy while it is
      // trusted (an invalidation during the await zeroes trustUntil), else
      // revalidated by a backend read. Otherwise, the backend touch below.
      if (cached !== undefined && this.lagsLess(cached, ttlMs, entry.backendExpiresAt)) {
        if (cached.lastAccessed.getTime() < entry.trustUntil) {
          entry.used = true;
          return cached;
        }
        return this.read(id, ttlMs, 'revalidate');
      }
    }
    return this.read(id, ttlMs, 'touch');
  }

  /** Removes expired records from the backend (resolves to how many) and drops untrusted cached copies. */
  async cleanupExpired(): Promise<number> {
    this.index.sweep(Date.now());
    if (typeof this.store.cleanupExpired !== 'function') return 0;
    return backendCall('cleanupExpired', '', () => this.store.cleanupExpired!());
  }

  /** Stops listening, then passes the shutdown on to the channel, the backend and the cache. */
  async onApplicationShutdown(signal?: string): Promise<void> {
    this.unsubscribe?.();
    await shutdownParts([this.channel, this.store, this.cache], signal);
  }

  /** Cached copies are trusted only while invalidations can reach us (inlined in `touch`). */
  private trusting(): boolean {
    return this.channel === undefined || this.channel.connected;
  }

  /** True when `touched`'s expiry is less than touchInterval past the backend's. */
  private lagsLess(touched: SessionRecord, ttlMs: number, backendExpiresAt: number): boolean {
    const interval = this.touchInterval ?? ttlMs * DEFAULT_TOUCH_FRACTION;
    return touched.lastAccessed.getTime() + ttlMs - backendExpiresAt < interval;
  }

  /**
   * One backend call (a `load`, or a `touch` that also extends the expiry),
   * then the cache fill. `revalidate` is a touch that stays local: the record
   * is read and extended here, unless its stored expiry turns out too old.
   */
  private async read(
    id: string,
    ttlMs: number,
    mode: ReadMode,
  ): Promise<SessionRecord | undefined> {
    const start = this.index.begin();
    const startedAt = Date.now();
    try {
      let record: SessionRecord | undefined;
      try {
        record = await (mode === 'touch' ? touchStore(this.store, id, ttlMs) : this.store.load(id));
        if (record !== undefined && mode === 'revalidate') {
          const stored = record.expiresAt.getTime();
          if (this.lagsLess(record.touch(ttlMs), ttlMs, stored)) {
            await this.fill(id, record, start, startedAt, stored);
            return record;
          }
          record = await touchStore(this.store, id, ttlMs);
        }
      } catch (error) {
        const copy = this.serveStaleOnError
          ? await this.tier.run(id, (cache) =>
              mode === 'load' ? cache.load(id) : touchStore(cache, id, ttlMs),
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
   * there at `backendExpiresAt`) into the cache, unless an invalidation raced it.
   */
  private async fill(
    id: string,
    record: SessionRecord,
    start: number,
    startedAt: number,
    backendExpiresAt: number = record.expiresAt.getTime(),
  ): Promise<void> {
    if (!this.trusting() || !this.index.mayFill(id, start)) return;
    if (!(await this.tier.put(record))) return;
    // Checked again: an invalidation may have come while the cache wrote.
    if (this.trusting() && this.index.mayFill(id, start)) {
      this.index.confirm(id, backendExpiresAt, startedAt);
    } else {
      this.tier.drop(id);
    }
  }

  private async publish(id: string): Promise<void> {
    if (this.channel === undefined) return;
    try {
      await this.channel.publish(id, this.index);
    } catch (error) {
      this.logger.warn(
        `Invalidation of ${shortId(id)} not sent (${(error as Error).message}); other instances may serve their copy until cacheTtl`,
      );
    }
  }
}
