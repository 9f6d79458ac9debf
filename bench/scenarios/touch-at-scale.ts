import type { SessionStore } from '../../lib/contract/session-store';
import { fmtCount, type BenchContext, type Scenario } from '../support/context';
import { compare, pairedRatio, type Variant, type VariantSummary } from '../support/measure';
import { sessionId } from '../support/records';
import { LIVE_TTL_MS, memoryPopulation, redisPopulation } from '../support/populations';
import { ratioAtLeast, row, type Row, type ScenarioResult, type Target } from '../support/report';

const IN_FLIGHT = 64;

/** Touches a random one of the first `count` live sessions per call. */
function touchRandom(name: string, store: SessionStore, count: number): Variant {
  return {
    name,
    op: async () => {
      const id = sessionId((Math.random() * count) | 0);
      const record = await store.touch!(id, LIVE_TTL_MS);
      if (!record) throw new Error(`bench: live session missing in ${name}`);
      return record;
    },
  };
}

/** Touches every session of a population once, 5,000 at a time. */
async function touchAll(store: SessionStore, count: number): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      batch.push(store.touch!(sessionId(i), LIVE_TTL_MS));
    }
    await Promise.all(batch);
  }
}

/** The floor: a bare Map lookup and two field writes, nothing copied. */
function plainTouchRandom(
  name: string,
  map: Map<string, { a: number; e: number }>,
  count: number,
): Variant {
  return {
    name,
    op: async () => {
      const entry = map.get(sessionId((Math.random() * count) | 0))!;
      const now = Date.now();
      entry.a = now;
      entry.e = now + LIVE_TTL_MS;
      return entry;
    },
  };
}

/** Rows: each larger scale against the smallest one. */
function scaleRows(kind: string, summaries: VariantSummary[], scales: number[]): Row[] {
  const [small] = summaries;
  return summaries.slice(1).map((summary, i) =>
    row({
      subject: `${kind} @ ${fmtCount(scales[i + 1])} sessions`,
      unit: 'ops/s',
      value: summary.perSec,
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      baselineName: `@ ${fmtCount(scales[0])}`,
      baseline: small.perSec,
      ratio: pairedRatio(summary, small),
      target: i + 1 === scales.length - 1 ? ratioAtLeast(0.8) : undefined,
    }),
  );
}

/**
 * The memory store's rows, each beside the bare Map's at the same scale; the
 * target at the largest scale: the store keeps at least the share of its
 * small-scale rate that a bare Map keeps of its own (measured in this run).
 */
function memoryRows(store: VariantSummary[], plain: VariantSummary[], scales: number[]): Row[] {
  return store.slice(1).flatMap((summary, i) => {
    const scale = fmtCount(scales[i + 1]);
    const plainRatio = pairedRatio(plain[i + 1], plain[0]);
    const target: Target | undefined =
      i + 1 === scales.length - 1
        ? {
            on: 'ratio',
            op: '>=',
            limit: plainRatio,
            text: `>= ${plainRatio.toFixed(2)}x (bare Map's)`,
          }
        : undefined;
    return [
      row({
        subject: `MemorySessionStore.touch @ ${scale} sessions`,
        unit: 'ops/s',
        value: summary.perSec,
        p50Ms: summary.p50Ms,
        p99Ms: summary.p99Ms,
        baselineName: `@ ${fmtCount(scales[0])}`,
        baseline: store[0].perSec,
        ratio: pairedRatio(summary, store[0]),
        target,
      }),
      row({
        subject: `bare Map.get + 2 writes @ ${scale} (its own slope, orientation)`,
        unit: 'ops/s',
        value: plain[i + 1].perSec,
        p50Ms: plain[i + 1].p50Ms,
        p99Ms: plain[i + 1].p99Ms,
        baselineName: `@ ${fmtCount(scales[0])}`,
        baseline: plain[0].perSec,
        ratio: plainRatio,
      }),
    ];
  });
}

/** Requests spread over this many sessions of the largest population (most sessions idle). */
const HOT = 1000;

/** Orientation: the largest population, but requests on only {@link HOT} of its sessions. */
function hotRow(kind: string, hot: VariantSummary, small: VariantSummary, scale: number): Row {
  return row({
    subject: `${kind} @ ${fmtCount(scale)} sessions, requests on ${fmtCount(HOT)} of them (orientation)`,
    unit: 'ops/s',
    value: hot.perSec,
    p50Ms: hot.p50Ms,
    p99Ms: hot.p99Ms,
    baselineName: `@ ${fmtCount(HOT)}`,
    baseline: small.perSec,
    ratio: pairedRatio(hot, small),
  });
}

/** Scenario 7: per-request throughput flat from 1k to 1M live sessions. */
export const touchAtScale: Scenario = {
  id: '7',
  title: 'Flat with scale',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const scales = ctx.quick ? [1000, ctx.scale] : [1000, 100_000, ctx.scale];
    const setup =
      `touch of a random live session, ${IN_FLIGHT} in flight; ${scales.map(fmtCount).join(' / ')} sessions (Redis: each touched once before)` +
      (ctx.quick ? ' (quick mode: 100k stands in for 1M)' : '');
    const rows: Row[] = [];

    const memory = await Promise.all(scales.map((n) => memoryPopulation(ctx, n)));
    // The floor's own slope: a bare Map lookup and two writes, same ids.
    const plain = memory.map((p) => {
      const map = new Map<string, { a: number; e: number }>();
      for (let i = 0; i < p.count; i++) map.set(sessionId(i), { a: 0, e: 0 });
      return map;
    });
    const summaries = await compare(
      [
        ...memory.map((p, i) => touchRandom(`memory @ ${fmtCount(scales[i])}`, p.store, p.count)),
        ...plain.map((map, i) => plainTouchRandom(`plain Map @ ${fmtCount(scales[i])}`, map, memory[i].count)),
        touchRandom(`memory @ ${fmtCount(ctx.scale)}, ${HOT} hot`, memory[scales.length - 1].store, HOT),
      ],
      { label: 's7 memory', rounds: ctx.rounds, roundMs: ctx.roundMs, inFlight: IN_FLIGHT, warmupMs: ctx.warmupMs },
    ); // prettier-ignore
    rows.push(
      ...memoryRows(
        summaries.slice(0, scales.length),
        summaries.slice(scales.length, 2 * scales.length),
        scales,
      ),
      hotRow('MemorySessionStore.touch', summaries[2 * scales.length], summaries[0], ctx.scale),
    );
    plain.length = 0;

    const redis = [];
    for (const n of scales) redis.push(await redisPopulation(ctx, n));
    // Every session touched once first, as a session in use has been: the
    // populations were written minutes ago, and a touch whose expiry crosses
    // into a later live-count slot (every 5 minutes per session) costs a
    // second call, which the small population would otherwise have paid in
    // its warm-up only (scenario 1 measures touches in use).
    for (const p of redis) await touchAll(p.loader, p.count);
    const redisSummaries = await compare(
      [
        ...redis.map((p, i) => touchRandom(`redis @ ${fmtCount(scales[i])}`, p.store, p.count)),
        touchRandom(`redis @ ${fmtCount(ctx.scale)}, ${HOT} hot`, redis[scales.length - 1].store, HOT),
      ],
      { label: 's7 redis', rounds: ctx.rounds, roundMs: ctx.roundMs, inFlight: IN_FLIGHT, warmupMs: ctx.warmupMs },
    ); // prettier-ignore
    rows.push(
      ...scaleRows('RedisSessionStore.touch', redisSummaries.slice(0, scales.length), scales),
      hotRow(
        'RedisSessionStore.touch',
        redisSummaries[scales.length],
        redisSummaries[0],
        ctx.scale,
      ),
    );
    return { id: this.id, title: this.title, setup, rows };
  },
};
