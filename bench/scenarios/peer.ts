import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { createClient } from 'redis';
import type { BenchContext, Scenario } from '../support/context';
import { compare, pairedRatio, type Variant } from '../support/measure';
import { notMeasured, ratioAtLeast, row, type ScenarioResult } from '../support/report';
import { IN_FLIGHT, rawGetVariant, redisPathFixture, touchVariant } from './redis-path';

const SESSIONS = 1000;

/** Scenario 2: our per-request path against express-session's Redis store. */
export const againstPeer: Scenario = {
  id: '2',
  title: 'Against the peer: connect-redis 9 (express-session) get + touch',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const setup = `${IN_FLIGHT} requests in flight, same redis-server; connect-redis on the \`redis\` 5 client, ours on ioredis`;
    const target = ratioAtLeast(1.25);
    const f = await redisPathFixture();
    if (typeof f === 'string') {
      return {
        id: this.id,
        title: this.title,
        setup,
        rows: [notMeasured('RedisSessionStore.touch', f, target)],
      };
    }
    const port = (f.raw.options.port ?? 0) as number;
    const redis = createClient({ url: `redis://127.0.0.1:${port}` });
    await redis.connect();
    try {
      const peer = new RedisStore({ client: redis, prefix: 'sess:', ttl: 1800 });
      // What express-session keeps: the cookie plus the application's fields
      // (here the same record fields ours stores, so the values are alike).
      const sess = {
        cookie: { originalMaxAge: null, httpOnly: true, path: '/' },
        ...JSON.parse(f.encoded),
      } as unknown as SessionData;
      const sids = f.sessionIds.slice(0, SESSIONS);
      for (const sid of sids) await peer.set(sid, sess);
      const peerVariant: Variant = {
        name: 'connect-redis get + touch',
        op: async (i) => {
          const sid = sids[i % SESSIONS];
          // express-session: store.get on the way in, store.touch on the way
          // out for an unmodified session (resave: false).
          const loaded = (await peer.get(sid)) as SessionData;
          await peer.touch(sid, loaded);
          return loaded;
        },
      };
      const [base, other, ours] = await compare([rawGetVariant(f), peerVariant, touchVariant(f)], {
        label: 's2',
        rounds: ctx.rounds,
        roundMs: ctx.roundMs,
        inFlight: IN_FLIGHT,
        warmupMs: ctx.warmupMs,
      });
      return {
        id: this.id,
        title: this.title,
        setup,
        rows: [
          row({
            subject: ours.name,
            unit: 'ops/s',
            value: ours.perSec,
            p50Ms: ours.p50Ms,
            p99Ms: ours.p99Ms,
            baselineName: other.name,
            baseline: other.perSec,
            ratio: pairedRatio(ours, other),
            target,
          }),
          row({
            subject: `${other.name} (orientation)`,
            unit: 'ops/s',
            value: other.perSec,
            p50Ms: other.p50Ms,
            p99Ms: other.p99Ms,
            baselineName: base.name,
            baseline: base.perSec,
            ratio: pairedRatio(other, base),
          }),
        ],
      };
    } finally {
      await redis.quit();
      await f.close();
    }
  },
};
