import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SessionInvalidationChannel } from '../../interfaces/session-invalidation.interface';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { errorMessage, shortId } from '../../contract/session-store.error';
import { touchOrExtend } from '../../contract/touch-or-extend';
import type { SessionRecordChange, SessionUpdateOptions } from '../../contract/update-record';
import { backendCall, BackendTier } from './backend-tier';
import { CacheIndex } from './cache-index';
import { CacheTier } from './cache-tier';
import { type CachingSessionStoreOptions, resolveCachingOptions } from './caching-session.options';

type Closable = { onApplicationShutdown?(signal?: string): unknown };

/**
 * A local tier (`cache`, typically a `MemorySessionStore` of its own) in front
 * of a shared `store` (typically a `RedisSessionStore`), which stays the
 * truth. `load` and `touch` are answered from the cache while its copy is
 * trusted; a touch reaches the backend only every `touchInterval`. `save`,
 * `update` and `delete` go to the backend and publish an invalidation on
 * `channel`. Coherence and failure rules:
 * README, "CachingSessionStore". The cache must belong to this store alone.
 */
export class CachingSessionStore implements SessionStore, OnApplicationShutdown {
  private readonly logger = new Logger(CachingSessionStore.name);
  private readonly index: CacheIndex;
  private readonly tier: CacheTier;
  private readonly backend: BackendTier;
  private readonly channel?: SessionInvalidationChannel;
  private readonly unsubscribe?: () => void;

  /** How many live records the backend holds (present when the backend has `count`). */
  readonly count?: () => Promise<number>;

  /**
   * @param cache the local tier; only this store may use it.
   * @param store the shared backend, the truth.
   * @throws InvalidOptionError naming the option when an option is invalid.
   */
  constructor(
    private readonly cache: SessionStore,
    private readonly store: SessionStore,
    options: CachingSessionStoreOptions = {},
  ) {
    const resolved = resolveCachingOptions(options);
    this.tier = new CacheTier(cache, this.logger);
    this.channel = resolved.channel;
    this.index = new CacheIndex(resolved.maxEntries, resolved.cacheTtl, (id) => this.tier.drop(id));
    this.backend = new BackendTier(store, this.index, this.tier, resolved, this.logger);
    this.unsubscribe = this.channel?.subscribe(this.index);
    if (typeof store.count === 'function') {
      this.count = () => backendCall('count', '', () => store.count!());
    }
  }

  async create(record: SessionRecord): Promise<SessionRecord> {
    await this.backend.write('create', record);
    return record;
  }

  async save(record: SessionRecord): Promise<void> {
    const id = record.id;
    this.index.invalidate(id);
    await this.backend.write('save', record);
    this.settle(id, record.revision);
    await this.publish(id);
  }

  /**
   * Through the backend (the truth): this instance's copy is dropped first,
   * the backend applies the change atomically (its `update`; for a backend
   * without one, load, change and a revision-checked `save`), the result is
   * cached, and an invalidation is published so that other instances drop
   * theirs. Never answered from the cache.
   */
  async update(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined> {
    this.index.invalidate(id);
    const record = await this.backend.update(id, change, options);
    if (record !== undefined) {
      this.settle(id, record.revision);
      await this.publish(id);
    }
    return record;
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    if (this.backend.trusting() && this.index.trusted(id, Date.now()) !== undefined) {
      try {
        const cached = await this.cache.load(id);
        if (cached !== undefined) return cached;
      } catch (error) {
        this.tier.failed(id, error);
      }
    }
    return this.backend.read(id, 0, 'load');
  }

  async delete(id: string): Promise<void> {
    // Dropped locally first: whatever the backend answers, no copy survives.
    this.index.invalidate(id);
    try {
      await backendCall('delete', id, () => this.store.delete(id));
    } finally {
      // Again: a read of this instance that started before the delete landed
      // may have cached the record meanwhile.
      this.index.invalidate(id);
    }
    await this.publish(id);
  }

  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const entry = this.backend.trusting() ? this.index.get(id) : undefined;
    if (entry !== undefined) {
      // The cached copy is extended on every touch. The hot path reads "now"
      // from the touched copy (`lastAccessed`) rather than the clock again.
      let cached: SessionRecord | undefined;
      try {
        cached = await touchOrExtend(this.cache, id, ttlMs);
      } catch (error) {
        this.tier.failed(id, error);
      }
      // While the backend's expiry trails the new one by less than
      // touchInterval, the touch stays local: served from the copy while it is
      // trusted (an invalidation during the await zeroes trustUntil), else
      // revalidated by a backend read. Otherwise, the backend touch below.
      if (cached !== undefined && this.backend.lagsLess(cached, ttlMs, entry.backendExpiresAt)) {
        if (cached.lastAccessed.getTime() < entry.trustUntil) {
          this.index.markUsed(entry);
          return cached;
        }
        return this.backend.read(id, ttlMs, 'revalidate');
      }
    }
    return this.backend.read(id, ttlMs, 'touch');
  }

  /** Removes expired records from the backend (resolves to how many) and drops untrusted cached copies. */
  async cleanupExpired(): Promise<number> {
    this.index.sweep(Date.now());
    if (typeof this.store.cleanupExpired !== 'function') return 0;
    return backendCall('cleanupExpired', '', () => this.store.cleanupExpired!());
  }

  /** Stops listening, then passes the shutdown on to the channel, the backend and the cache, in order. */
  async onApplicationShutdown(signal?: string): Promise<void> {
    this.unsubscribe?.();
    for (const part of [this.channel, this.store, this.cache] as (Closable | undefined)[]) {
      await part?.onApplicationShutdown?.(signal);
    }
  }

  /**
   * After this instance wrote `revision` of `id`: unless that revision (or a
   * later one) is what the cache now trusts, drops the copy, which a read
   * that started before the write landed may have cached meanwhile (other
   * instances drop theirs on the invalidation this write publishes).
   */
  private settle(id: string, revision: number): void {
    if (!this.index.holdsNewer(id, revision - 1, Date.now())) this.index.invalidate(id);
  }

  private async publish(id: string): Promise<void> {
    if (this.channel === undefined) return;
    try {
      await this.channel.publish(id, this.index);
    } catch (error) {
      this.logger.warn(
        `Invalidation of ${shortId(id)} not sent (${errorMessage(error)}); other instances may serve their copy until cacheTtl`,
      );
    }
  }
}
