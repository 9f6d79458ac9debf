import type Redis from 'ioredis';
import type { SessionStore } from '../../lib/contract/session-store';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { RedisSessionStore } from '../../lib/stores/redis/redis-session.store';
import type { RedisNode } from '../../test/support/redis-harness';
import { fixture, fmtCount, type BenchContext } from './context';
import { progress } from './progress';
import { BENCH_REDIS_OPTIONS, benchRedis, client, stopRedis } from './redis';
import { sessionId, typicalRecord } from './records';

/** Sessions live for this long unless a scenario says otherwise. */
export const LIVE_TTL_MS = 60 * 60_000;

/** Collects garbage thoroughly (needs --expose-gc) and returns the used heap. */
export async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    global.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Saves `count` typical records through `store.save`, `batch` at a time
 * concurrently, with ids `sessionId(offset)`, `sessionId(offset + 1)`, ...;
 * `expiredEvery` marks every `expiredEvery`-th one as already expired.
 */
export async function populate(
  store: SessionStore,
  count: number,
  options: {
    label: string;
    ttlMs?: number;
    batch?: number;
    expiredEvery?: number;
    offset?: number;
  },
): Promise<void> {
  const offset = options.offset ?? 0;
  const batch = options.batch ?? 5000;
  const ttl = options.ttlMs ?? LIVE_TTL_MS;
  let nextReport = Date.now() + 2000;
  for (let start = 0; start < count; start += batch) {
    const writes: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const record = typicalRecord(ttl, sessionId(offset + i));
      if (options.expiredEvery && i % options.expiredEvery === options.expiredEvery - 1) {
        record.expiresAt = new Date(Date.now() - 1000);
      }
      writes.push(store.save(record));
    }
    await Promise.all(writes);
    if (Date.now() >= nextReport) {
      progress(`${options.label}: ${fmtCount(start + batch)} of ${fmtCount(count)} written`);
      nextReport = Date.now() + 2000;
    }
  }
}

/** A memory store with `count` live typical records and its heap cost. */
export interface MemoryPopulation {
  store: MemorySessionStore;
  /** Live sessions: `sessionId(0)` to `sessionId(count - 1)`. */
  count: number;
  /** Heap growth per session while it was filled (gc before and after). */
  heapPerSession: number;
}

/** A memory store of `count` live sessions, built once per run. */
export function memoryPopulation(ctx: BenchContext, count: number): Promise<MemoryPopulation> {
  return fixture(ctx, `memory:${count}`, async () => {
    const before = await settledHeap();
    const store = new MemorySessionStore();
    await populate(store, count, { label: `memory store ${fmtCount(count)}` });
    const after = await settledHeap();
    return { store, count, heapPerSession: (after - before) / count };
  });
}

/** A redis-server with `count` live sessions written through RedisSessionStore. */
export interface RedisPopulation {
  node: RedisNode;
  /** For the figures: a client with no pipelining tricks. */
  store: RedisSessionStore;
  /** For bulk writes: the same store class on an auto-pipelining client. */
  loader: RedisSessionStore;
  admin: Redis;
  /** Live sessions: `sessionId(0)` to `sessionId(count - 1)`. */
  count: number;
  /** `used_memory` growth per session while it was filled. */
  usedMemoryPerSession: number;
}

/** Reads `used_memory` from INFO memory. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/**
 * A redis-server of its own holding `count` live sessions, written in
 * `recordFormat` (the store's default, 3, unless said), built once per run.
 */
export function redisPopulation(
  ctx: BenchContext,
  count: number,
  recordFormat: 2 | 3 = 3,
): Promise<RedisPopulation> {
  return fixture(ctx, `redis:${count}:${recordFormat}`, async () => {
    const node = await benchRedis();
    const admin = client(node);
    const storeClient = client(node);
    const loaderClient = client(node, { enableAutoPipelining: true });
    const store = new RedisSessionStore(storeClient, { ...BENCH_REDIS_OPTIONS, recordFormat });
    // Bulk loads queue thousands of writes at once: give them time.
    const loader = new RedisSessionStore(loaderClient, { commandTimeout: 120_000, recordFormat });
    const before = await usedMemory(admin);
    await populate(loader, count, { label: `redis ${fmtCount(count)}`, batch: 1000 });
    const after = await usedMemory(admin);
    ctx.teardown.push(async () => {
      admin.disconnect();
      storeClient.disconnect();
      loaderClient.disconnect();
      await stopRedis(node);
    });
    return { node, store, loader, admin, count, usedMemoryPerSession: (after - before) / count };
  });
}
