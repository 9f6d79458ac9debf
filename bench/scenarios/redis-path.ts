import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { SessionStore } from '../../lib/session-store';
import type { BenchContext, Scenario } from '../support/context';
import { compare, pairedRatio, type Variant } from '../support/measure';
import { redisStoreClass } from '../support/optional';
import { benchRedis, client, findKey, stopRedis } from '../support/redis';
import { typicalRecord } from '../support/records';
import { notMeasured, ratioAtLeast, row, type ScenarioResult } from '../support/report';

/** Requests in flight, as in the issue. */
export const IN_FLIGHT = 64;
/** Distinct live sessions the requests are spread over. */
const SESSIONS = 1000;
const TTL_MS = 30 * 60_000;

/** A Redis server with `SESSIONS` live sessions, and raw keys holding the same bytes. */
export interface RedisPathFixture {
  store: SessionStore;
  raw: Redis;
  storeClient: Redis;
  sessionIds: string[];
  rawKeys: string[];
  /** The encoded record as the store wrote it. */
  encoded: string;
  close(): Promise<void>;
}

/** Builds {@link RedisPathFixture}, or returns why it cannot. */
export async function redisPathFixture(): Promise<RedisPathFixture | string> {
  const RedisSessionStore = redisStoreClass();
  if (!RedisSessionStore) return 'RedisSessionStore (issue 3) is not in lib/ yet';
  const node = await benchRedis();
  const storeClient = client(node);
  const raw = client(node);
  const store = new RedisSessionStore(storeClient);
  const sessionIds: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const record = await store.create(typicalRecord(TTL_MS));
    sessionIds.push(record.id);
  }
  const key = await findKey(raw, sessionIds[0]);
  if (!key) throw new Error('bench: cannot find the key RedisSessionStore wrote');
  const type = await raw.type(key);
  if (type !== 'string') throw new Error(`bench: the session key is a ${type}, expected a string`);
  const encoded = (await raw.get(key))!;
  const rawKeys = sessionIds.map(() => `bench:raw:${randomUUID()}`);
  const pipeline = raw.pipeline();
  for (const rawKey of rawKeys) pipeline.set(rawKey, encoded);
  await pipeline.exec();
  return {
    store,
    raw,
    storeClient,
    sessionIds,
    rawKeys,
    encoded,
    close: async () => {
      raw.disconnect();
      storeClient.disconnect();
      await stopRedis(node);
    },
  };
}

/** The least any store must do per request: one GET and one JSON.parse. */
export function rawGetVariant(f: RedisPathFixture): Variant {
  return {
    name: 'ioredis GET + JSON.parse',
    op: async (i) => JSON.parse((await f.raw.get(f.rawKeys[i % SESSIONS]))!),
  };
}

/** Our per-request path: `RedisSessionStore.touch`. */
export function touchVariant(f: RedisPathFixture): Variant {
  return {
    name: 'RedisSessionStore.touch',
    op: async (i) => {
      const record = await f.store.touch!(f.sessionIds[i % SESSIONS], TTL_MS);
      if (!record) throw new Error('bench: a live session was not found');
      return record;
    },
  };
}

/** Scenario 1: the per-request path on Redis against a raw GET. */
export const perRequestOnRedis: Scenario = {
  id: '1',
  title: 'Per-request path on Redis',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const setup = `${IN_FLIGHT} requests in flight over ${SESSIONS} live sessions, one redis-server`;
    const target = ratioAtLeast(0.8);
    const f = await redisPathFixture();
    if (typeof f === 'string') {
      return {
        id: this.id,
        title: this.title,
        setup,
        rows: [notMeasured('RedisSessionStore.touch', f, target)],
      };
    }
    try {
      const [base, touch] = await compare([rawGetVariant(f), touchVariant(f)], {
        label: 's1',
        rounds: ctx.rounds,
        roundMs: ctx.roundMs,
        inFlight: IN_FLIGHT,
        warmupMs: ctx.warmupMs,
      });
      return {
        id: this.id,
        title: this.title,
        setup: `${setup}; stored value ${Buffer.byteLength(f.encoded)} bytes`,
        rows: [
          row({
            subject: touch.name,
            unit: 'ops/s',
            value: touch.perSec,
            p50Ms: touch.p50Ms,
            p99Ms: touch.p99Ms,
            baselineName: base.name,
            baseline: base.perSec,
            ratio: pairedRatio(touch, base),
            target,
          }),
        ],
      };
    } finally {
      await f.close();
    }
  },
};
