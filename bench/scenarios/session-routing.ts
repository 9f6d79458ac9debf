import { createHistogram } from 'node:perf_hooks';
import { commandStats } from '../../test/support/redis-commandstats';
import { eventually } from '../../test/support/wait';
import {
  callTool,
  openSession,
  openStream,
  samplingRoundTrip,
  startInstance,
} from '../http/routing-client';
import type { BenchContext, Scenario } from '../support/context';
import { compare, fmtRate } from '../support/measure';
import { progress } from '../support/progress';
import { benchRedis, client, commandsBetween } from '../support/redis';
import {
  notMeasured,
  ratioAtMost,
  row,
  type Row,
  type ScenarioResult,
  valueAtMost,
} from '../support/report';

/**
 * Calls in flight in the sampling comparison: one, since the target is the
 * time of a round trip (with more, two processes sharing the machine's cores
 * measure contention instead).
 */
const IN_FLIGHT = 1;

/** Calls by name between two snapshots of counters. */
function callsBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) calls[name] = count - (before[name] ?? 0);
  return calls;
}

/** `{ xadd: 3, evalsha: 2 }` -> `3 xadd + 2 evalsha`, per operation. */
function perOp(byCommand: Record<string, number>, ops: number): string {
  return Object.entries(byCommand)
    .filter(([, calls]) => calls > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([name, calls]) => `${+(calls / ops).toFixed(2)} ${name}`)
    .join(' + ');
}

/**
 * Scenario 10: a 2025 session served by two instances (each in a process of
 * its own, on one Redis: RedisSessionStore, RedisSessionMessageBus,
 * RedisEventStore). A sampling round trip whose answer lands on the other
 * instance against one whose answer lands on the same instance (target: at
 * most 2x + 2 ms at p50), and the first request on another instance (the
 * restore) against a warm one; Redis commands per message on each path.
 */
export const sessionRouting: Scenario = {
  id: '10',
  title: 'HTTP: a 2025 session across two instances (answers routed, restore)',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const node = await benchRedis();
    const redis = client(node);
    const [a, b] = [await startInstance(node.port), await startInstance(node.port)];
    ctx.teardown.push(
      () => a.stop(),
      () => b.stop(),
      async () => redis.disconnect(),
    );
    const sessions: string[] = [];
    for (let i = 0; i < IN_FLIGHT; i++) sessions.push(await openSession(a.url));
    let ids = 1;
    const round = (answerUrl: string) => (i: number) =>
      samplingRoundTrip(a.url, answerUrl, sessions[i % IN_FLIGHT], ++ids);
    const commandsPer = async (ops: number, op: (i: number) => Promise<unknown>) => {
      const before = await commandStats(redis);
      for (let i = 0; i < ops; i++) await op(i);
      return commandsBetween(before, await commandStats(redis));
    };

    const [same, other] = await compare(
      [
        { name: 'answer on the same instance', op: round(a.url) },
        { name: 'answer on the other instance', op: round(b.url) },
      ],
      {
        label: 'routing',
        rounds: ctx.rounds,
        roundMs: ctx.roundMs,
        inFlight: IN_FLIGHT,
        warmupMs: ctx.warmupMs,
      },
    );
    const costSame = await commandsPer(50, round(a.url));
    const costOther = await commandsPer(50, round(b.url));
    const rows: Row[] = [
      row({
        subject: 'sampling round trip, answer on the same instance',
        unit: 'ms',
        value: same.p50Ms,
        p50Ms: same.p50Ms,
        p99Ms: same.p99Ms,
        baselineName: '',
        baseline: null,
        note: `${fmtRate(same.perSec)} round trips/s; Redis per round trip: ${perOp(costSame.byCommand, 50)}`,
      }),
      row({
        subject: 'sampling round trip, answer on the other instance (p50)',
        unit: 'ms',
        value: other.p50Ms,
        p50Ms: other.p50Ms,
        p99Ms: other.p99Ms,
        baselineName: 'same instance',
        baseline: same.p50Ms,
        target: valueAtMost(+(2 * same.p50Ms + 2).toFixed(2), 'ms'),
        note: `${fmtRate(other.perSec)} round trips/s; Redis per round trip: ${perOp(costOther.byCommand, 50)}`,
      }),
    ];

    // The first request of a session on another instance (restore) vs a warm one.
    const restoreRuns = ctx.quick ? 40 : 200;
    const restore = createHistogram();
    const warm = createHistogram();
    const timed = async (
      histogram: ReturnType<typeof createHistogram>,
      op: () => Promise<unknown>,
    ) => {
      const t0 = process.hrtime.bigint();
      await op();
      histogram.record(Math.max(1, Number(process.hrtime.bigint() - t0)));
    };
    let restoreCost = { total: 0, byCommand: {} as Record<string, number> };
    let warmCost = { total: 0, byCommand: {} as Record<string, number> };
    // Store calls on B (by SessionStore method) over every restore and warm call.
    const restoreCalls: Record<string, number> = {};
    const warmCalls: Record<string, number> = {};
    const add = (into: Record<string, number>, calls: Record<string, number>) => {
      for (const [name, count] of Object.entries(calls)) into[name] = (into[name] ?? 0) + count;
    };
    for (let i = 0; i < restoreRuns; i++) {
      const id = await openSession(a.url);
      const last = i === restoreRuns - 1;
      const calls0 = await b.storeCalls();
      const before = last ? await commandStats(redis) : undefined;
      await timed(restore, () => callTool(b.url, id, 'whoami', 1));
      const middle = last ? await commandStats(redis) : undefined;
      const calls1 = await b.storeCalls();
      await timed(warm, () => callTool(b.url, id, 'whoami', 2));
      const after = last ? await commandStats(redis) : undefined;
      add(restoreCalls, callsBetween(calls0, calls1));
      add(warmCalls, callsBetween(calls1, await b.storeCalls()));
      if (before && middle && after) {
        restoreCost = commandsBetween(before, middle);
        warmCost = commandsBetween(middle, after);
      }
    }
    const [restoreP50, warmP50] = [restore.percentile(50) / 1e6, warm.percentile(50) / 1e6];
    rows.push(
      row({
        subject: 'warm tools/call on the other instance',
        unit: 'ms',
        value: warmP50,
        p50Ms: warmP50,
        p99Ms: warm.percentile(99) / 1e6,
        baselineName: '',
        baseline: null,
        note: `store calls: ${perOp(warmCalls, restoreRuns)}; Redis: ${perOp(warmCost.byCommand, 1)}`,
      }),
      row({
        subject: 'first tools/call on the other instance (restore)',
        unit: 'ms',
        value: restoreP50,
        p50Ms: restoreP50,
        p99Ms: restore.percentile(99) / 1e6,
        baselineName: 'warm tools/call, same session, same instance (p50)',
        baseline: warmP50,
        target: ratioAtMost(3),
        note:
          `${restoreRuns} sessions; store calls per restore: ${perOp(restoreCalls, restoreRuns)}; ` +
          `Redis: ${perOp(restoreCost.byCommand, 1)}`,
      }),
    );

    // A server message for the client's GET stream held by the other instance.
    try {
      const id = await openSession(a.url);
      const stream = await openStream(b.url, id);
      const burst = 200;
      const empty = await commandsPer(1, () => callTool(a.url, id, 'burst', 1, { n: 0 }));
      const before = await commandStats(redis);
      await callTool(a.url, id, 'burst', 2, { n: burst });
      await eventually('the burst on the stream', () => stream.received() >= burst, {
        timeoutMs: 30_000,
      });
      const cost = commandsBetween(before, await commandStats(redis));
      for (const [name, calls] of Object.entries(empty.byCommand)) cost.byCommand[name] -= calls;
      stream.close();
      rows.push(
        row({
          subject: 'notification sent on A, written on the GET stream on B',
          unit: 'commands',
          value: (cost.total - empty.total) / burst,
          baselineName: '',
          baseline: null,
          note: `Redis per message: ${perOp(cost.byCommand, burst)}`,
        }),
      );
    } catch (error) {
      progress(`routing: notification path failed: ${(error as Error).message}`);
      rows.push(
        notMeasured(
          'notification sent on A, written on the GET stream on B',
          (error as Error).message,
        ),
      );
    }
    return {
      id: this.id,
      title: this.title,
      setup:
        `two instances, each in a process of its own, on one Redis (RedisSessionStore, RedisSessionMessageBus, ` +
        `RedisEventStore); raw HTTP client; ${IN_FLIGHT} sampling round trip in flight`,
      rows,
    };
  },
};
