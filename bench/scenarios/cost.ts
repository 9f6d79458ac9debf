import { fmtCount, type BenchContext, type Scenario } from '../support/context';
import { findKey, pipelined } from '../support/redis';
import { memoryPopulation, redisPopulation, settledHeap, usedMemory } from '../support/populations';
import { sessionId, typicalRecord } from '../support/records';
import { notMeasured, row, valueAtMost, type Row, type ScenarioResult } from '../support/report';

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

/** Scenario 6: heap bytes per memory session, Redis bytes per session. */
export const costPerSession: Scenario = {
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
    if (!redis) {
      rows.push(
        notMeasured(
          'Redis bytes per session',
          'RedisSessionStore (issue 3) is not in lib/ yet',
          heapTarget,
        ),
      );
      return { id: this.id, title: this.title, setup, rows };
    }
    // The least Redis can spend: the same value under a key of the same
    // length, with an expiry, and nothing else.
    const sampleKey = (await findKey(redis.admin, sessionId(0)))!;
    const value = (await redis.admin.get(sampleKey))!;
    const rawCount = Math.min(n, 100_000);
    const rawKey = (i: number) => `raw:${String(i).padStart(sampleKey.length - 4, '0')}`;
    const rawBefore = await usedMemory(redis.admin);
    await pipelined(redis.admin, rawCount, (pipeline, i) =>
      pipeline.set(rawKey(i), value, 'PX', 3_600_000),
    );
    const rawPerKey = ((await usedMemory(redis.admin)) - rawBefore) / rawCount;
    await pipelined(redis.admin, rawCount, (pipeline, i) => pipeline.unlink(rawKey(i)));
    const usage = await redis.admin.memory('USAGE', sampleKey, 'SAMPLES', '0');
    rows.push(
      row({
        subject: 'Redis used_memory per session (key, value, expiry, any index)',
        unit: 'bytes',
        value: redis.usedMemoryPerSession,
        baselineName: 'SET PX of the same value, same key length',
        baseline: rawPerKey,
        target: heapTarget,
        note: `value ${Buffer.byteLength(value)} B, MEMORY USAGE of one session key ${usage} B`,
      }),
    );
    return { id: this.id, title: this.title, setup, rows };
  },
};
