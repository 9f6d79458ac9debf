import type { SessionStore } from '../../lib/session-store';
import { fmtCount, type BenchContext, type Scenario } from '../support/context';
import { compare, pairedRatio, type Variant, type VariantSummary } from '../support/measure';
import { LIVE_TTL_MS, memoryPopulation, redisPopulation } from '../support/populations';
import { notMeasured, ratioAtLeast, row, type Row, type ScenarioResult } from '../support/report';

const IN_FLIGHT = 64;

/** Touches a random live session of `ids` per call. */
function touchRandom(name: string, store: SessionStore, ids: string[]): Variant {
  return {
    name,
    op: async () => {
      const id = ids[(Math.random() * ids.length) | 0];
      const record = await store.touch!(id, LIVE_TTL_MS);
      if (!record) throw new Error(`bench: live session missing in ${name}`);
      return record;
    },
  };
}

/** Rows: each larger scale against the smallest one. */
function scaleRows(kind: string, summaries: VariantSummary[], scales: number[]): Row[] {
  const [small] = summaries;
  return summaries.slice(1).map((summary, i) =>
    row({
      subject: `${kind} touch @ ${fmtCount(scales[i + 1])} sessions`,
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

/** Scenario 7: per-request throughput flat from 1k to 1M live sessions. */
export const flatWithScale: Scenario = {
  id: '7',
  title: 'Flat with scale',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const scales = ctx.quick ? [1000, 10_000, ctx.scale] : [1000, 100_000, ctx.scale];
    const setup =
      `touch of a random live session, ${IN_FLIGHT} in flight; ${scales.map(fmtCount).join(' / ')} sessions` +
      (ctx.quick ? ' (quick mode: 100k stands in for 1M)' : '');
    const rows: Row[] = [];

    const memory = await Promise.all(scales.map((n) => memoryPopulation(ctx, n)));
    const memorySummaries = await compare(
      memory.map((p, i) => touchRandom(`memory @ ${fmtCount(scales[i])}`, p.store, p.ids)),
      { label: 's7 memory', rounds: ctx.rounds, roundMs: ctx.roundMs, inFlight: IN_FLIGHT, warmupMs: ctx.warmupMs },
    ); // prettier-ignore
    rows.push(...scaleRows('MemorySessionStore', memorySummaries, scales));

    const redis = [];
    for (const n of scales) redis.push(await redisPopulation(ctx, n));
    if (redis.some((p) => !p)) {
      rows.push(
        notMeasured(
          `RedisSessionStore touch @ ${fmtCount(ctx.scale)}`,
          'RedisSessionStore (issue 3) is not in lib/ yet',
          ratioAtLeast(0.8),
        ),
      );
      return { id: this.id, title: this.title, setup, rows };
    }
    const redisSummaries = await compare(
      redis.map((p, i) => touchRandom(`redis @ ${fmtCount(scales[i])}`, p!.store, p!.ids)),
      { label: 's7 redis', rounds: ctx.rounds, roundMs: ctx.roundMs, inFlight: IN_FLIGHT, warmupMs: ctx.warmupMs },
    ); // prettier-ignore
    rows.push(...scaleRows('RedisSessionStore', redisSummaries, scales));
    return { id: this.id, title: this.title, setup, rows };
  },
};
