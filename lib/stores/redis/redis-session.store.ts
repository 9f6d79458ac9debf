import type { OnApplicationShutdown } from '@nestjs/common';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { checkTtl } from '../../contract/option-checks';
import {
  readRevision,
  saveConflict,
  type SessionRecordChange,
  type SessionUpdateOptions,
  UpdateQueue,
} from '../../contract/update-record';
import { closeClient, connectOptions, connectUrl } from './redis-connection';
import { asIoredisShape, type NodeRedisLike } from './node-redis.adapter';
import { RedisKeys } from './redis-keys';
import type { RedisClient } from './redis-client';
import { RedisRecords } from './redis-records';
import { liveCount, trimIndex } from './redis-count';
import { leasedUpdate } from './redis-writes';
import {
  resolveRedisOptions,
  type RedisConnectionOptions,
  type RedisSessionStoreOptions,
  type ResolvedRedisSessionStoreOptions,
} from './redis-session.options';

/**
 * Sessions in Redis, single node or cluster, shared by every instance: one key
 * per record that expires with it, a `touch` that is one `GETEX` (format 3,
 * the default), an atomic `create`, compare-and-set `save` and `update` on
 * the record's revision, unreadable records moved aside, and per-bucket live
 * counts (format 2: an expiry index, and `cleanupExpired`) for `count`.
 * Values of every format version are served, whatever `recordFormat` says.
 * Every call is bounded by `commandTimeout`, and no write runs after its
 * caller was told it failed. It closes its connection only when it opened it
 * (`fromUrl`, `fromConnection`). More: README, "RedisSessionStore".
 */
export class RedisSessionStore implements SessionStore, OnApplicationShutdown {
  private readonly options: ResolvedRedisSessionStoreOptions;
  private readonly keys: RedisKeys;
  private readonly records: RedisRecords;
  private readonly updates = new UpdateQueue();
  private closing?: Promise<void>;
  private owned = false;

  /**
   * The connection the store talks to (for health checks and tests): the
   * ioredis client given, or the ioredis-shaped view of a node-redis one.
   */
  readonly client: RedisClient;

  /**
   * @param client an ioredis `Redis` or `Cluster`, or a node-redis client
   *   (`createClient()` or `createCluster()`, connected), which the caller
   *   owns and closes. The kind is detected.
   * @throws InvalidOptionError naming the option when an option is invalid.
   */
  constructor(client: RedisClient | NodeRedisLike, options: RedisSessionStoreOptions = {}) {
    this.client = asIoredisShape<RedisClient>(client);
    this.options = resolveRedisOptions(options);
    this.keys = new RedisKeys(this.options.keyPrefix, this.options.indexBuckets);
    this.records = new RedisRecords(this.client, this.keys, this.options);
    if (this.options.recordFormat === 2) this.cleanupExpired = () => trimIndex(this.records);
  }

  /** A store with its own single-node connection to `url` (`redis://` or `rediss://`), closed on application shutdown. */
  static fromUrl(url: string, options?: RedisSessionStoreOptions): RedisSessionStore {
    const checked = resolveRedisOptions(options);
    return RedisSessionStore.owning(connectUrl(url), checked);
  }

  /** A store with its own connection (ioredis `RedisOptions`, or `{ cluster, clusterOptions }`), closed on application shutdown. */
  static fromConnection(
    connection: RedisConnectionOptions,
    options?: RedisSessionStoreOptions,
  ): RedisSessionStore {
    const checked = resolveRedisOptions(options);
    return RedisSessionStore.owning(connectOptions(connection), checked);
  }

  private static owning(client: RedisClient, options: RedisSessionStoreOptions): RedisSessionStore {
    const store = new RedisSessionStore(client, options);
    store.owned = true;
    return store;
  }

  /** True when the store opened its connection itself (and so closes it). */
  get ownsConnection(): boolean {
    return this.owned;
  }

  /**
   * Stores a new record atomically (SET NX) at revision 1; when the id is
   * taken by a live record, assigns a fresh `randomUUID()` and tries again. A
   * record whose `expiresAt` has already passed is not written (it would be
   * invisible).
   */
  create(record: SessionRecord): Promise<SessionRecord> {
    return this.records.create(record);
  }

  /**
   * One script: a compare-and-set on the stored revision (see
   * `SessionStore.save`; kind `conflict` when another write came first), with
   * the new expiry; a record saved already expired is removed. Never applied
   * after its caller was told it failed (the script refuses to run past the
   * call's deadline).
   */
  async save(record: SessionRecord): Promise<void> {
    const revision = readRevision(record);
    if ((await this.records.put(record, 's')) === 'conflict') {
      throw saveConflict(record.id, revision);
    }
  }

  /**
   * GET and PEXPIRETIME in one round trip: a decoded copy, `undefined` for
   * unknown or expired ids. A value
   * this version cannot read is moved to its quarantine key (kept a day,
   * logged once) and the id is then unknown.
   */
  load(id: string): Promise<SessionRecord | undefined> {
    return this.records.read(id);
  }

  /** Removes the record and its index entry (one script, never after its deadline); idempotent. */
  delete(id: string): Promise<void> {
    return this.records.remove(id);
  }

  /**
   * Extends a live record (`lastAccessed` = now, `expiresAt` = now + `ttlMs`)
   * and returns it: one `GETEX PXAT` for a version 3 value (plus a script
   * call when the ttl differs from the value's last one), one script for a
   * version 1 or 2 value (times in place, key expiry, index entry). Unknown,
   * deleted or expired ids give `undefined` and nothing is written; an
   * unreadable value is moved aside as by `load`.
   * @throws InvalidOptionError (a `RangeError`) when `ttlMs` is negative or not finite.
   */
  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    checkTtl(ttlMs);
    return this.records.touch(id, ttlMs);
  }

  /**
   * Optimistic read-modify-write: a GET, the change, then a compare-and-set
   * script on the revision (cluster-safe: one key slot). A write that lost
   * to another gets the stored record back and is tried again on it at once;
   * from the third attempt on, the update first takes the record's write
   * lease, under which its read and write cannot lose (see
   * `SessionStore.update`). This store's updates of one id run one after
   * another: only other instances' writes make an update retry.
   */
  update(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined> {
    return this.updates.run(id, () => leasedUpdate(this.records, id, change, options));
  }

  /**
   * Live records, one script per bucket in parallel, whatever the format:
   * the expiry index's live entries (values of versions 1 and 2) plus the
   * live counts of version 3 values, which include a record until at most
   * five minutes (`SLOT_MS`) after it expired.
   */
  async count(): Promise<number> {
    return liveCount(this.records);
  }

  /**
   * Format 2 only: trims expired entries from the expiry index and resolves
   * to how many (Redis has already expired the records). A format 3 store
   * has no index, so nothing to sweep: this method is then `undefined`.
   */
  readonly cleanupExpired?: () => Promise<number>;

  /** Closes an owned connection (QUIT, then disconnect); leaves a caller's client open. Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.owned) return;
    this.closing ??= closeClient(this.client, this.options.commandTimeout);
    return this.closing;
  }
}
