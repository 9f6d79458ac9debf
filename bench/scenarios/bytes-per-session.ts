import { fmtCount, type BenchContext, type Scenario } from '../support/context';
import type Redis from 'ioredis';
import { benchRedis, client, findKey, pipelined, stopRedis } from '../support/redis';
import { memoryPopulation, redisPopulation, settledHeap, usedMemory } from '../support/populations';
import { sessionId, typicalRecord } from '../support/records';
import { row, valueAtMost, type Row, type ScenarioResult } from '../support/report';

/**
 * The cheapest form a memory store could keep: the JSON text of the record
 * under its id (no objects, nothing to clone from).
 */
async function jsonMapHeapPerSession(count: number): Promise<number> {
  const before = await settledHeap();
  const map = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const record = typicalRecord(60_000);
    map.set(record.id, JSON.stringify(record));
  }
  const after = await settledHeap();
  if (map.size !== count) throw new Error('bench: map lost entries');
  return (after - before) / count;
}

/** MEMORY USAGE summed over the store's sorted-set keys (its expiry index), if any. */
async function indexUsage(redis: Redis): Promise<number | undefined> {
  let cursor = '0';
  let total = 0;
  let found = false;
  do {
    const [next, keys] = (await redis.call('SCAN', cursor, 'TYPE', 'zset', 'COUNT', '10000')) as [
      string,
      string[],
    ];
    for (const key of keys) {
      found = true;
      total += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
    }
    cursor = next;
  } while (cursor !== '0');
  return found ? total : undefined;
}

/** Scenario 6: heap bytes per memory session, Redis bytes per session. */
export const bytesPerSession: Scenario = {
  id: '6',
  title: 'Cost per session',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const n = ctx.scale;
    const setup =
      `${fmtCount(n)} typical records (client info and capabilities as the SDK client sends)` +
      (ctx.quick ? '; quick mode: 100k instead of 1M' : '') +
      (typeof global.gc === 'function' ? '' : '; WARNING: no --expose-gc, heap figures are rough');
    const rows: Row[] = [];
    const memory = await memoryPopulation(ctx, n);
    const jsonHeap = await jsonMapHeapPerSession(n);
    rows.push(
      row({
        subject: 'MemorySessionStore heap per session',
        unit: 'bytes',
        value: memory.heapPerSession,
        baselineName: 'Map of id -> JSON text',
        baseline: jsonHeap,
        target: valueAtMost(1024, 'B'),
      }),
    );

    const redis = await redisPopulation(ctx, n);
    const heapTarget = valueAtMost(512, 'B');
    // The least Redis can spend: the same value under a key of the same
    // length, with an expiry, and nothing else; as many keys, on a fresh
    // server of its own, so that the keyspace tables grow alike.
    const sampleKey = (await findKey(redis.admin, sessionId(0)))!;
    const value = (await redis.admin.get(sampleKey))!;
    const rawKey = (i: number) => `raw:${String(i).padStart(sampleKey.length - 4, '0')}`;
    const rawNode = await benchRedis();
    const raw = client(rawNode);
    let rawPerKey: number;
    try {
      const rawBefore = await usedMemory(raw);
      await pipelined(raw, n, (pipeline, i) => pipeline.set(rawKey(i), value, 'PX', 3_600_000));
      rawPerKey = ((await usedMemory(raw)) - rawBefore) / n;
    } finally {
      raw.disconnect();
      await stopRedis(rawNode);
    }
    const indexBytes = await indexUsage(redis.admin);
    const usage = await redis.admin.memory('USAGE', sampleKey, 'SAMPLES', '0');
    rows.push(
      row({
        subject: 'Redis used_memory per session (key, value, expiry, any index)',
        unit: 'bytes',
        value: redis.usedMemoryPerSession,
        baselineName: 'SET PX of the same value, same key length',
        baseline: rawPerKey,
        target: heapTarget,
        note:
          `value ${Buffer.byteLength(value)} B, key ${sampleKey.length} B; MEMORY USAGE of one session key ${usage} B` +
          (indexBytes === undefined
            ? ''
            : `, of the expiry index ${Math.round(indexBytes / n)} B per session`),
      }),
    );
    // The format with an expiry index (recordFormat 2), on a server of its own.
    const indexed = await redisPopulation(ctx, n, 2);
    rows.push(
      row({
        subject: 'same, recordFormat 2 (values with their times, an expiry index) (orientation)',
        unit: 'bytes',
        value: indexed.usedMemoryPerSession,
        baselineName: 'SET PX of the recordFormat 3 value, same key length',
        baseline: rawPerKey,
      }),
    );
    return { id: this.id, title: this.title, setup, rows };
  },
};
