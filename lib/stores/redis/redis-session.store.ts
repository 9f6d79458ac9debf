import { randomUUID } from 'node:crypto';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { checkTtl } from '../../contract/option-checks';
import { decodeRecord, encodeRecord, encodeTimes } from './record.codec';
import { boundedOn, checkExec } from './redis-call';
import { closeClient, connectOptions, connectUrl } from './redis-connection';
import { RedisKeys } from './redis-keys';
import type { RedisClient } from './redis-client';
import { CREATE, runScript, TOUCH } from './redis-scripts';
import {
  resolveRedisOptions,
  type RedisConnectionOptions,
  type RedisSessionStoreOptions,
  type ResolvedRedisSessionStoreOptions,
} from './redis-session.options';

/**
 * Sessions in Redis, single node or cluster, shared by every instance: one key
 * per record that expires with it, a one-script `touch`, an atomic `create`,
 * and an expiry index for `count` and `cleanupExpired`. Every call is bounded
 * by `commandTimeout`. It closes its connection only when it opened it
 * (`fromUrl`, `fromConnection`). More: README, "RedisSessionStore".
 */
export class RedisSessionStore implements SessionStore, OnApplicationShutdown {
  private readonly options: ResolvedRedisSessionStoreOptions;
  private readonly keys: RedisKeys;
  private closing?: Promise<void>;
  private owned = false;

  /**
   * @param client an ioredis `Redis` or `Cluster` the caller owns and closes.
   * @throws InvalidOptionError naming the option when an option is invalid.
   */
  constructor(
    /** The ioredis connection the store talks to (for health checks and tests). */
    readonly client: RedisClient,
    options: RedisSessionStoreOptions = {},
  ) {
    this.options = resolveRedisOptions(options);
    this.keys = new RedisKeys(this.options.keyPrefix, this.options.indexBuckets);
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
   * Stores a new record atomically (SET NX); when the id is taken by a live
   * record, assigns a fresh `randomUUID()` and tries again. A record whose
   * `expiresAt` has already passed is not written (it would be invisible).
   */
  async create(record: SessionRecord): Promise<SessionRecord> {
    const value = encodeRecord(record);
    const expiresAt = record.expiresAt.getTime();
    // An already expired record would be invisible at once: nothing to store.
    if (expiresAt <= Date.now()) return record;
    for (;;) {
      const id = record.id;
      const stored = await this.run('create', id, () =>
        runScript(
          this.client,
          CREATE,
          [this.keys.record(id), this.keys.indexOf(id)],
          [value, expiresAt, id],
        ),
      );
      if (stored === 1) return record;
      record.id = randomUUID();
    }
  }

  /** Upserts the record with its new expiry; a record saved already expired is removed. */
  async save(record: SessionRecord): Promise<void> {
    const { id } = record;
    const value = encodeRecord(record);
    const expiresAt = record.expiresAt.getTime();
    const key = this.keys.record(id);
    const index = this.keys.indexOf(id);
    await this.run('save', id, () =>
      expiresAt <= Date.now()
        ? this.client.multi().del(key).zrem(index, id).exec()
        : this.client.multi().set(key, value, 'PXAT', expiresAt).zadd(index, expiresAt, id).exec(),
    ).then(checkExec);
  }

  /** One GET: a decoded copy, `undefined` for unknown or expired ids, kind `decode` for a corrupt value. */
  async load(id: string): Promise<SessionRecord | undefined> {
    const raw = await this.run('load', id, () => this.client.get(this.keys.record(id)));
    if (raw === null) return undefined;
    const record = decodeRecord(id, raw);
    return record.isExpired() ? undefined : record;
  }

  /** Removes the record and its index entry; idempotent. */
  async delete(id: string): Promise<void> {
    await this.run('delete', id, () =>
      this.client.multi().del(this.keys.record(id)).zrem(this.keys.indexOf(id), id).exec(),
    ).then(checkExec);
  }

  /**
   * One script call: extends a live record (`lastAccessed` = now, `expiresAt`
   * = now + `ttlMs`, key expiry and index entry too) and returns it. Unknown,
   * deleted or expired ids give `undefined` and nothing is written.
   * @throws InvalidOptionError (a `RangeError`) when `ttlMs` is negative or not finite.
   */
  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    checkTtl(ttlMs);
    const now = Date.now();
    const expiresAt = now + Math.floor(ttlMs);
    const before = await this.run('touch', id, () =>
      runScript(this.client, TOUCH, this.keys.recordAndIndex(id), [
        encodeTimes(now, expiresAt),
        id,
      ]),
    );
    if (before === null || before === undefined) return undefined;
    const record = decodeRecord(id, String(before));
    record.lastAccessed = new Date(now);
    record.expiresAt = new Date(expiresAt);
    return record;
  }

  /** Live records, from the expiry index: one ZCOUNT per bucket, O(log n) each. */
  async count(): Promise<number> {
    const now = Date.now();
    return this.sumBuckets('count', (index) => this.client.zcount(index, `(${now}`, '+inf'));
  }

  /** Trims expired entries from the index and resolves to how many; Redis has already expired the records. */
  async cleanupExpired(): Promise<number> {
    // Redis expires the records themselves; this trims their index entries.
    const now = Date.now();
    return this.sumBuckets('cleanupExpired', (index) =>
      this.client.zremrangebyscore(index, '-inf', now),
    );
  }

  /** Closes an owned connection (QUIT, then disconnect); leaves a caller's client open. Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.owned) return;
    this.closing ??= closeClient(this.client, this.options.commandTimeout);
    return this.closing;
  }

  private sumBuckets(op: string, call: (index: string) => Promise<number>): Promise<number> {
    // One command per bucket: buckets live in different slots, so on a
    // cluster they cannot share a pipeline or a script.
    return this.run(op, undefined, async () => {
      const counts = await Promise.all(
        Array.from({ length: this.keys.buckets }, (_, b) => call(this.keys.index(b))),
      );
      return counts.reduce((sum, n) => sum + n, 0);
    });
  }

  /** Runs one Redis call bounded by `commandTimeout`; any failure becomes kind `backend`. */
  private run<T>(op: string, id: string | undefined, call: () => Promise<T>): Promise<T> {
    return boundedOn(this.client, op, id, this.options.commandTimeout, call);
  }
}
