import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { fmtCount, type BenchContext, type Scenario } from '../support/context';
import { median } from '../support/measure';
import {
  populate,
  redisPopulation,
  type RedisPopulation,
  settledHeap,
} from '../support/populations';
import { progress } from '../support/progress';
import { pipelined } from '../support/redis';
import { row, valueAtMost, type Row, type ScenarioResult } from '../support/report';
import { sleep } from '../../test/support/wait';

/** Runs `work` while watching the event loop; returns its time and the longest stall. */
async function watched<T>(
  work: () => Promise<T>,
): Promise<{ ms: number; stallMs: number; out: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const t0 = performance.now();
  const out = await work();
  const ms = performance.now() - t0;
  // Let the monitor's timer fire once more so that a stall at the very end
  // is recorded too.
  await sleep(5);
  histogram.disable();
  return { ms, stallMs: histogram.max / 1e6, out };
}

/** The floor for a sweep: one blocking loop over a Map of bare expiry times. */
function plainSweepMs(count: number, expiredEvery: number): number {
  const map = new Map<number, { expiresAt: number }>();
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    map.set(i, { expiresAt: i % expiredEvery === expiredEvery - 1 ? now - 1000 : now + 3_600_000 });
  }
  const t0 = performance.now();
  for (const [key, entry] of map) if (entry.expiresAt <= Date.now()) map.delete(key);
  return performance.now() - t0;
}

async function memoryRows(n: number): Promise<Row[]> {
  const store = new MemorySessionStore();
  await populate(store, n, {
    label: `memory store ${fmtCount(n)} (10% expired)`,
    expiredEvery: 10,
  });
  await settledHeap();
  const idle = await watched(() => sleep(200));
  progress(`s5: sweeping ${fmtCount(n)} memory sessions`);
  const sweep = await watched(() => store.cleanupExpired());
  const floor = plainSweepMs(n, 10);
  return [
    row({
      subject: `MemorySessionStore.cleanupExpired, ${fmtCount(n)} sessions`,
      unit: 'ms',
      value: sweep.ms,
      baselineName: 'one blocking loop over a plain Map',
      baseline: floor,
      note: `removed ${sweep.out}`,
    }),
    row({
      subject: 'longest event-loop stall during that sweep',
      unit: 'ms',
      value: sweep.stallMs,
      baselineName: 'idle loop, 200 ms',
      baseline: idle.stallMs,
      target: valueAtMost(20, 'ms'),
    }),
  ];
}

/** Median time of `store.count()` and of a DBSIZE round trip, over 7 alternating tries. */
async function timedCounts(
  redis: RedisPopulation,
): Promise<{ counted: number; countMs: number; pingMs: number }> {
  const counts: number[] = [];
  const pings: number[] = [];
  let counted = 0;
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    counted = await redis.store.count();
    counts.push(performance.now() - t0);
    t0 = performance.now();
    await redis.admin.dbsize();
    pings.push(performance.now() - t0);
  }
  return { counted, countMs: median(counts), pingMs: median(pings) };
}

/** count on the default format (live-count slots per bucket) against a DBSIZE round trip. */
async function slotCountRow(ctx: BenchContext, n: number): Promise<Row> {
  const redis = await redisPopulation(ctx, n);
  const { counted, countMs, pingMs } = await timedCounts(redis);
  return row({
    subject: `RedisSessionStore.count, recordFormat 3 (live-count slots), ${fmtCount(n)} live`,
    unit: 'ms',
    value: countMs,
    baselineName: 'DBSIZE round trip',
    baseline: pingMs,
    target: valueAtMost(10, 'ms'),
    note: `returned ${counted}, expected ${n}`,
  });
}

/** Scenario 5: cleanup at scale, memory and Redis. */
export const cleanupAtScale: Scenario = {
  id: '5',
  title: 'Cleanup at scale',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const n = ctx.scale;
    const expired = n / 10;
    const setup =
      `memory: ${fmtCount(n)} sessions, 10% expired; Redis: ${fmtCount(n)} live + ${fmtCount(expired)} expired` +
      (ctx.quick ? ' (quick mode: 100k stands in for 1M)' : '');
    const rows = await memoryRows(n);
    const countTarget = valueAtMost(10, 'ms');
    const cleanupTarget = valueAtMost(5000, 'ms');
    rows.push(await slotCountRow(ctx, n));
    // The expiry index, its count and its sweep: format 2.
    const redis = await redisPopulation(ctx, n, 2);
    // Sessions that expire on their own two seconds from now, then have expired.
    const ttl = 2000;
    await populate(redis.loader, expired, {
      label: `redis +${fmtCount(expired)} expiring`,
      ttlMs: ttl,
      batch: 1000,
      offset: n,
    });
    await sleep(ttl + 200);

    const { counted, countMs, pingMs } = await timedCounts(redis);
    progress(`s5: cleanupExpired on Redis with ${fmtCount(n)} + ${fmtCount(expired)} expired`);
    const cleanup = await watched(() => redis.store.cleanupExpired!());
    const after = await redis.store.count();

    // The floor for a client-driven sweep: deleting as many keys, pipelined.
    await pipelined(redis.admin, expired, (p, i) => p.set(`sweep:${i}`, 'x'));
    const t0 = performance.now();
    await pipelined(redis.admin, expired, (p, i) => p.unlink(`sweep:${i}`));
    const deleteFloor = performance.now() - t0;

    rows.push(
      row({
        subject: `RedisSessionStore.count, recordFormat 2 (expiry index), ${fmtCount(n)} live`,
        unit: 'ms',
        value: countMs,
        baselineName: 'DBSIZE round trip',
        baseline: pingMs,
        target: countTarget,
        note: `returned ${counted}, expected ${n}`,
      }),
      row({
        subject: `RedisSessionStore.cleanupExpired, recordFormat 2, ${fmtCount(expired)} expired`,
        unit: 'ms',
        value: cleanup.ms,
        baselineName: `pipelined UNLINK of ${fmtCount(expired)} keys`,
        baseline: deleteFloor,
        target: cleanupTarget,
        note: `removed ${cleanup.out}; count after ${after}; longest client stall ${cleanup.stallMs.toFixed(1)} ms`,
      }),
    );
    return { id: this.id, title: this.title, setup, rows };
  },
};
