import { CachingSessionStore } from '../../lib/stores/caching/caching-session.store';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { RedisInvalidationChannel } from '../../lib/stores/redis/redis-invalidation.channel';
import { RedisSessionStore } from '../../lib/stores/redis/redis-session.store';
import { commandStats } from '../../test/support/redis-commandstats';
import { eventually } from '../../test/support/wait';
import type { BenchContext, Scenario } from '../support/context';
import { compare, pairedRatio, type Variant } from '../support/measure';
import {
  BENCH_REDIS_OPTIONS,
  benchRedis,
  client,
  commandsBetween,
  stopRedis,
} from '../support/redis';
import { typicalRecord } from '../support/records';
import { ratioAtLeast, row, valueAtMost, type ScenarioResult } from '../support/report';

const IN_FLIGHT = 64;
const TTL_MS = 30 * 60_000;

/** Scenario 3: a hot session's touch through the caching store against the memory store's. */
export const cachingTouch: Scenario = {
  id: '3',
  title: 'Caching store, hot session',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const setup = `one hot session, ${IN_FLIGHT} touches in flight; CachingSessionStore(memory, RedisSessionStore) with its default touchInterval and a RedisInvalidationChannel`;
    const ratioTarget = ratioAtLeast(0.8);
    const commandTarget = valueAtMost(0.01, 'cmd/req');
    const node = await benchRedis();
    const storeClient = client(node);
    const admin = client(node);
    // As two or more instances would run it: invalidations over Redis pub/sub.
    const channel = new RedisInvalidationChannel(storeClient);
    const caching = new CachingSessionStore(
      new MemorySessionStore(),
      new RedisSessionStore(storeClient, BENCH_REDIS_OPTIONS),
      { channel },
    );
    // The cache trusts its copies only once invalidations can reach it.
    await eventually('the invalidation channel', () => channel.connected);
    const memory = new MemorySessionStore();
    try {
      const hot = await caching.create(typicalRecord(TTL_MS));
      const hotMemory = await memory.create(typicalRecord(TTL_MS));
      let cachingCalls = 0;
      const variants: Variant[] = [
        {
          name: 'MemorySessionStore.touch',
          op: (_i) => memory.touch(hotMemory.id, TTL_MS),
        },
        {
          name: 'CachingSessionStore.touch',
          op: (_i) => {
            cachingCalls++;
            return caching.touch(hot.id, TTL_MS);
          },
        },
      ];
      const before = await commandStats(admin);
      const [base, subject] = await compare(variants, {
        label: 's3',
        rounds: ctx.rounds,
        roundMs: ctx.roundMs,
        inFlight: IN_FLIGHT,
        warmupMs: ctx.warmupMs,
      });
      const commands = commandsBetween(before, await commandStats(admin));
      const perRequest = commands.total / cachingCalls;
      // The same count without the cache, for the baseline column.
      const direct = new RedisSessionStore(storeClient, BENCH_REDIS_OPTIONS);
      const plain = await direct.create(typicalRecord(TTL_MS));
      const beforeDirect = await commandStats(admin);
      for (let i = 0; i < 1000; i++) await direct.touch(plain.id, TTL_MS);
      const directPerRequest =
        commandsBetween(beforeDirect, await commandStats(admin)).total / 1000;
      return {
        id: this.id,
        title: this.title,
        setup,
        rows: [
          row({
            subject: subject.name,
            unit: 'ops/s',
            value: subject.perSec,
            p50Ms: subject.p50Ms,
            p99Ms: subject.p99Ms,
            baselineName: base.name,
            baseline: base.perSec,
            ratio: pairedRatio(subject, base),
            target: ratioTarget,
          }),
          row({
            subject: 'backend commands per request',
            unit: 'cmd/req',
            value: perRequest,
            baselineName: 'RedisSessionStore.touch alone',
            baseline: directPerRequest,
            target: commandTarget,
            note: `${commands.total} commands over ${cachingCalls} touches: ${JSON.stringify(commands.byCommand)}`,
          }),
        ],
      };
    } finally {
      // Passed on to the channel too (its subscriber; the client is ours).
      await caching.onApplicationShutdown();
      storeClient.disconnect();
      admin.disconnect();
      await stopRedis(node);
    }
  },
};
