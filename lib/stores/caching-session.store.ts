import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SessionInvalidationChannel } from '../interfaces/session-invalidation.interface';
import type { SessionRecord } from '../session-record';
import type { SessionStore } from '../session-store';
import { SessionStoreError, shortId } from '../session-store.error';
import { CacheIndex } from './cache-index';
import { CacheTier } from './cache-tier';
import { backendCall, shutdownParts, touchStore } from './caching-session.calls';
import {
  type CachingSessionStoreOptions,
  DEFAULT_TOUCH_FRACTION,
  resolveCachingOptions,
} from './caching-session.options';

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
 * backend's expiry would trail the new one by `touchInterval` or more, or the
 * copy is older than `cacheTtl`: the backend's expiry never lags the true one
 * by more than `touchInterval`.
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
    try {
      await backendCall('create', record.id, () => this.store.create(record));
      await this.fill(record.id, record, start);
    } finally {
      this.index.finish();
    }
    return record;
  }

  async save(record: SessionRecord): Promise<void> {
    const id = record.id;
    this.index.invalidate(id);
    const start = this.index.begin();
    try {
      await backendCall('save', id, () => this.store.save(record));
      await this.fill(id, record, start);
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
    return this.read(id, false, 0);
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
      if (cached !== undefined) {
        const now = cached.lastAccessed.getTime();
        // Served locally while the copy is trusted (an invalidation during the
        // await zeroes trustUntil) and the backend's expiry trails the new one
        // by less than touchInterval; otherwise the backend touch below.
        if (
          now < entry.trustUntil &&
          now + ttlMs - entry.backendExpiresAt <
            (this.touchInterval ?? ttlMs * DEFAULT_TOUCH_FRACTION)
        ) {
          entry.used = true;
          return cached;
        }
      }
    }
    return this.read(id, true, ttlMs);
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

  /** A backend load or touch (one round trip), then the cache fill. */
  private async read(
    id: string,
    touching: boolean,
    ttlMs: number,
  ): Promise<SessionRecord | undefined> {
    const start = this.index.begin();
    try {
      let record: SessionRecord | undefined;
      try {
        record = touching ? await touchStore(this.store, id, ttlMs) : await this.store.load(id);
      } catch (error) {
        const copy = this.serveStaleOnError
          ? await this.tier.run(id, (cache) =>
              touching ? touchStore(cache, id, ttlMs) : cache.load(id),
            )
          : undefined;
        if (copy !== undefined) {
          this.logger.warn(`Backend failed; serving the cached copy of ${shortId(id)}`);
          return copy;
        }
        const op = touching ? 'touch' : 'load';
        throw SessionStoreError.backend(`backend ${op} of ${shortId(id)} failed`, error);
      }
      if (record === undefined) {
        this.index.invalidate(id);
      } else {
        await this.fill(id, record, start);
      }
      return record;
    } finally {
      this.index.finish();
    }
  }

  /** Copies a record the backend confirmed into the cache, unless an invalidation raced it. */
  private async fill(id: string, record: SessionRecord, start: number): Promise<void> {
    if (!this.trusting() || !this.index.mayFill(id, start)) return;
    if (!(await this.tier.put(record))) return;
    // Checked again: an invalidation may have come while the cache wrote.
    if (this.trusting() && this.index.mayFill(id, start)) {
      this.index.confirm(id, record.expiresAt.getTime(), Date.now());
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
