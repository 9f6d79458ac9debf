import type { BenchContext, Scenario } from '../support/context';
import { pairedRatio, type VariantSummary } from '../support/measure';
import { ratioAtLeast, row, type Row, type ScenarioResult, type Target } from '../support/report';
import { IN_FLIGHT, SESSIONS, redisTouchResults } from './redis-touch.measure';

/** A throughput row: subject against baseline, ratio from paired rounds. */
function vs(subject: VariantSummary, baseline: VariantSummary, target?: Target): Row {
  return row({
    subject: subject.name,
    unit: 'ops/s',
    value: subject.perSec,
    p50Ms: subject.p50Ms,
    p99Ms: subject.p99Ms,
    baselineName: baseline.name,
    baseline: baseline.perSec,
    ratio: pairedRatio(subject, baseline),
    target,
  });
}

/** Scenario 1: `RedisSessionStore.touch` (the per-request path on Redis) against a raw GET. */
export const redisTouchVsGet: Scenario = {
  id: '1',
  title: 'Per-request path on Redis',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const target = ratioAtLeast(0.9);
    const r = await redisTouchResults(ctx);
    const setup = `${IN_FLIGHT} requests in flight over ${SESSIONS} live sessions, one redis-server; each pair on the same kind of client (ioredis, ioredis with auto-pipelining, node-redis 5)`;
    return {
      id: this.id,
      title: this.title,
      setup: `${setup}; stored value ${r.valueBytes} bytes`,
      rows: [
        vs(r.touch, r.rawGet, target),
        vs(r.touchPiped, r.rawGetPiped, target),
        vs(r.touchNodeRedis, r.peerClientGet, target),
        row({
          subject: 'touch: Redis time per call (commandstats: GETEX)',
          unit: 'µs',
          value: r.touchCost.serverMicros,
          baselineName: 'per GET',
          baseline: r.getCost.serverMicros,
          note: 'orientation',
        }),
        row({
          subject: 'touch: client CPU per call (this process)',
          unit: 'µs',
          value: r.touchCost.clientCpuMicros,
          baselineName: 'per GET + JSON.parse',
          baseline: r.getCost.clientCpuMicros,
          note: 'orientation',
        }),
      ],
    };
  },
};

/** Scenario 2: `RedisSessionStore.touch` against express-session's Redis store (connect-redis). */
export const redisTouchVsPeer: Scenario = {
  id: '2',
  title: 'Against the peer: connect-redis 9 (express-session) get + touch',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const target = ratioAtLeast(1.0);
    const nodeRedisTarget = ratioAtLeast(1.5);
    const r = await redisTouchResults(ctx);
    const setup = `${IN_FLIGHT} requests in flight, same redis-server and rounds as scenario 1; connect-redis 9 on the \`redis\` 5 client (which pipelines commands of one tick by itself)`;
    return {
      id: this.id,
      title: this.title,
      setup,
      rows: [
        vs(r.touch, r.peer, target),
        vs(r.touchPiped, r.peer, target),
        vs(r.touchNodeRedis, r.peer, nodeRedisTarget),
        vs(r.cachingTouch, r.peer, target),
        { ...vs(r.peer, r.rawGet), subject: `${r.peer.name} (orientation)` },
        { ...vs(r.peer, r.peerClientGet), subject: `${r.peer.name} (orientation)` },
        { ...vs(r.peerClientGet, r.rawGet), subject: `${r.peerClientGet.name} (orientation)` },
      ],
    };
  },
};
