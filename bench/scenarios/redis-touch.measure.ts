import { randomUUID } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type Redis from 'ioredis';
import { createClient } from 'redis';
import type { SessionStore } from '../../lib/contract/session-store';
import { CachingSessionStore } from '../../lib/stores/caching/caching-session.store';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { RedisInvalidationChannel } from '../../lib/stores/redis/redis-invalidation.channel';
import { RedisSessionStore } from '../../lib/stores/redis/redis-session.store';
import { commandStats } from '../../test/support/redis-commandstats';
import { eventually } from '../../test/support/wait';
import { fixture, type BenchContext } from '../support/context';
import { closedLoop, compare, type Variant, type VariantSummary } from '../support/measure';
import { BENCH_REDIS_OPTIONS, benchRedis, client, findKey, stopRedis } from '../support/redis';
import { typicalRecord } from '../support/records';

/** Requests in flight, as in the issue. */
export const IN_FLIGHT = 64;
/** Distinct live sessions the requests are spread over. */
export const SESSIONS = 1000;
const TTL_MS = 30 * 60_000;

/** One ioredis client setting: a raw client and our store on a client of that kind. */
interface Side {
  raw: Redis;
  store: SessionStore;
  storeClient: Redis;
}

/** The variants of scenarios 1 and 2, measured together in alternating rounds. */
export interface RedisTouchResults {
  rawGet: VariantSummary;
  touch: VariantSummary;
  rawGetPiped: VariantSummary;
  touchPiped: VariantSummary;
  peer: VariantSummary;
  /** CachingSessionStore(memory, RedisSessionStore).touch, every session cached here. */
  cachingTouch: VariantSummary;
  /** GET + JSON.parse on the `redis` client connect-redis uses. */
  peerClientGet: VariantSummary;
  /** RedisSessionStore.touch on a node-redis (`redis` 5) client. */
  touchNodeRedis: VariantSummary;
  /** Where the time of one GET + JSON.parse goes (default client). */
  getCost: CallCost;
  /** Where the time of one touch goes (default client). */
  touchCost: CallCost;
  /** The encoded record as RedisSessionStore wrote it. */
  valueBytes: number;
}

const PIPED = { enableAutoPipelining: true };

/** Where one call's time goes: this process's CPU, and Redis's own time for it. */
export interface CallCost {
  clientCpuMicros: number;
  /** `usec_per_call` of the call's top-level command in INFO commandstats (scripts include their inner commands). */
  serverMicros: number;
}

/** Runs `variant` for a second (64 in flight) and reads both costs per call. */
async function costOf(admin: Redis, variant: Variant, command: string): Promise<CallCost> {
  await admin.config('RESETSTAT');
  const before = process.cpuUsage();
  const result = await closedLoop(variant.op, IN_FLIGHT, 1000);
  const cpu = process.cpuUsage(before);
  const stat = (await commandStats(admin)).get(command);
  return {
    clientCpuMicros: (cpu.user + cpu.system) / result.ops,
    serverMicros: stat?.usecPerCall ?? NaN,
  };
}

function rawGet(name: string, side: Side, rawKeys: string[]): Variant {
  return {
    name,
    op: async (i) => JSON.parse((await side.raw.get(rawKeys[i % SESSIONS]))!),
  };
}

function touch(name: string, side: Side, ids: string[]): Variant {
  return {
    name,
    op: async (i) => {
      const record = await side.store.touch!(ids[i % SESSIONS], TTL_MS);
      if (!record) throw new Error('bench: a live session was not found');
      return record;
    },
  };
}

/**
 * Scenarios 1 and 2 on one redis-server: raw ioredis GET + JSON.parse (the
 * least any store must do), `RedisSessionStore.touch`, each on a default
 * ioredis client and on one with `enableAutoPipelining`, and connect-redis
 * (express-session's store) on the `redis` client, which pipelines by itself.
 */
export function redisTouchResults(ctx: BenchContext): Promise<RedisTouchResults> {
  return fixture(ctx, 'redis-touch', async () => {
    const node = await benchRedis();
    const sides: Side[] = [{}, PIPED].map((options) => {
      const storeClient = client(node, options);
      return {
        raw: client(node, options),
        storeClient,
        store: new RedisSessionStore(storeClient, BENCH_REDIS_OPTIONS),
      };
    });
    const closers: (() => Promise<void>)[] = [];
    const peerClient = createClient({ url: `redis://127.0.0.1:${node.port}` });
    await peerClient.connect();
    const nodeRedis = createClient({ url: `redis://127.0.0.1:${node.port}` });
    await nodeRedis.connect();
    const nodeRedisStore = new RedisSessionStore(nodeRedis, BENCH_REDIS_OPTIONS);
    try {
      const [plain, piped] = sides;
      const ids: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        ids.push((await plain.store.create(typicalRecord(TTL_MS))).id);
      }
      const key = await findKey(plain.raw, ids[0]);
      if (!key) throw new Error('bench: cannot find the key RedisSessionStore wrote');
      const type = await plain.raw.type(key);
      if (type !== 'string') throw new Error(`bench: session key is a ${type}, expected a string`);
      const encoded = (await plain.raw.get(key))!;
      const rawKeys = ids.map(() => `bench:raw:${randomUUID()}`);
      const pipeline = plain.raw.pipeline();
      for (const rawKey of rawKeys) pipeline.set(rawKey, encoded);
      await pipeline.exec();

      const peer = new RedisStore({ client: peerClient, prefix: 'sess:', ttl: 1800 });
      // What express-session keeps: its cookie plus the application's fields
      // (here the same fields our record holds, so the values are alike).
      const sess = {
        cookie: { originalMaxAge: null, httpOnly: true, path: '/' },
        ...JSON.parse(encoded),
      } as unknown as SessionData;
      for (const sid of ids) await peer.set(sid, sess);
      const peerVariant: Variant = {
        name: 'connect-redis get + touch',
        op: async (i) => {
          const sid = ids[i % SESSIONS];
          // express-session: store.get on the way in, store.touch on the way
          // out for an unmodified session (resave: false).
          const loaded = (await peer.get(sid)) as SessionData;
          await peer.touch(sid, loaded);
          return loaded;
        },
      };
      const peerClientGet: Variant = {
        name: '`redis` client GET + JSON.parse',
        op: async (i) => JSON.parse((await peerClient.get(rawKeys[i % SESSIONS]))!),
      };
      // The multi-instance deployment of the sample: a local tier over Redis,
      // kept coherent over pub/sub; here every session is hot in this process.
      const channel = new RedisInvalidationChannel(plain.storeClient);
      const caching = new CachingSessionStore(new MemorySessionStore(), plain.store, { channel });
      closers.push(() => caching.onApplicationShutdown());
      await eventually('the invalidation channel', () => channel.connected);
      for (const id of ids) await caching.load(id);
      const cachingVariant = touch(
        'CachingSessionStore(memory, Redis).touch, sessions cached here',
        { ...plain, store: caching },
        ids,
      );
      const [rawGetS, touchS, rawGetPipedS, touchPipedS, peerS, peerGetS, cachingS, nodeRedisS] =
        await compare(
          [
            rawGet('ioredis GET + JSON.parse', plain, rawKeys),
            touch('RedisSessionStore.touch', plain, ids),
            rawGet('ioredis GET + JSON.parse, auto-pipelining client', piped, rawKeys),
            touch('RedisSessionStore.touch, auto-pipelining client', piped, ids),
            peerVariant,
            peerClientGet,
            cachingVariant,
            touch(
              'RedisSessionStore.touch, node-redis client',
              { ...plain, store: nodeRedisStore },
              ids,
            ),
          ],
          {
            label: 's1+2',
            rounds: ctx.rounds,
            roundMs: ctx.roundMs,
            inFlight: IN_FLIGHT,
            warmupMs: ctx.warmupMs,
          },
        );
      const costs = [
        await costOf(plain.raw, rawGet('', plain, rawKeys), 'get'),
        await costOf(plain.raw, touch('', plain, ids), 'getex'),
      ];
      return {
        getCost: costs[0],
        touchCost: costs[1],
        rawGet: rawGetS,
        touch: touchS,
        rawGetPiped: rawGetPipedS,
        touchPiped: touchPipedS,
        peer: peerS,
        peerClientGet: peerGetS,
        cachingTouch: cachingS,
        touchNodeRedis: nodeRedisS,
        valueBytes: Buffer.byteLength(encoded),
      };
    } finally {
      for (const close of closers) await close();
      await peerClient.quit();
      await nodeRedis.quit();
      for (const side of sides) {
        side.raw.disconnect();
        side.storeClient.disconnect();
      }
      await stopRedis(node);
    }
  });
}
