import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import type { BenchContext, Scenario } from '../support/context';
import { compare, pairedRatio, type Variant } from '../support/measure';
import {
  BENCH_REDIS_OPTIONS,
  cachingStoreClass,
  closeStore,
  optionalExport,
  redisStoreClass,
} from '../support/optional';
import { benchRedis, client, commandStats, commandsBetween, stopRedis } from '../support/redis';
import { typicalRecord } from '../support/records';
import {
  notMeasured,
  ratioAtLeast,
  row,
  valueAtMost,
  type ScenarioResult,
} from '../support/report';

const IN_FLIGHT = 64;

/** Waits until an invalidation channel says it is connected (the cache trusts only then). */
async function waitConnected(channel: unknown): Promise<void> {
  const deadline = Date.now() + 5000;
  while (channel && !(channel as { connected?: boolean }).connected) {
    if (Date.now() > deadline) throw new Error('bench: invalidation channel never connected');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const TTL_MS = 30 * 60_000;

/** Scenario 3: a hot session through the caching store against the memory store. */
export const cachingHot: Scenario = {
  id: '3',
  title: 'Caching store, hot session',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const setup = `one hot session, ${IN_FLIGHT} touches in flight; CachingSessionStore(memory, RedisSessionStore) with its default touchInterval and a RedisInvalidationChannel`;
    const ratioTarget = ratioAtLeast(0.8);
    const commandTarget = valueAtMost(0.01, 'cmd/req');
    const CachingSessionStore = cachingStoreClass();
    const RedisSessionStore = redisStoreClass();
    const missing = !RedisSessionStore
      ? 'RedisSessionStore (issue 3) is not in lib/ yet'
      : !CachingSessionStore
        ? 'CachingSessionStore (issue 4) is not in lib/ yet'
        : undefined;
    if (missing || !CachingSessionStore || !RedisSessionStore) {
      return {
        id: this.id,
        title: this.title,
        setup,
        rows: [
          notMeasured('CachingSessionStore.touch', missing!, ratioTarget),
          notMeasured('backend commands per request', missing!, commandTarget),
        ],
      };
    }
    const node = await benchRedis();
    const storeClient = client(node);
    const admin = client(node);
    // As two or more instances would run it: invalidations over Redis pub/sub.
    const Channel = optionalExport<new (client: unknown) => unknown>(
      'RedisInvalidationChannel',
      'stores/redis-invalidation.channel',
    );
    const channel = Channel ? new Channel(storeClient) : undefined;
    const caching = new CachingSessionStore(
      new MemorySessionStore(),
      new RedisSessionStore(storeClient, BENCH_REDIS_OPTIONS),
      channel ? { channel } : {},
    );
    await waitConnected(channel);
    const memory = new MemorySessionStore();
    try {
      const hot = await caching.create(typicalRecord(TTL_MS));
      const hotMemory = await memory.create(typicalRecord(TTL_MS));
      let cachingCalls = 0;
      const variants: Variant[] = [
        {
          name: 'MemorySessionStore.touch',
          op: (_i) => memory.touch!(hotMemory.id, TTL_MS),
        },
        {
          name: 'CachingSessionStore.touch',
          op: (_i) => {
            cachingCalls++;
            return caching.touch!(hot.id, TTL_MS);
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
      for (let i = 0; i < 1000; i++) await direct.touch!(plain.id, TTL_MS);
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
      await closeStore(caching);
      await closeStore(channel);
      storeClient.disconnect();
      admin.disconnect();
      await stopRedis(node);
    }
  },
};
