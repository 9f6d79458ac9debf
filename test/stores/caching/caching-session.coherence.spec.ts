import { Logger } from '@nestjs/common';
import { Cluster } from 'ioredis';
import {
  CachingSessionStore,
  type CachingSessionStoreOptions,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
  SessionRecord,
} from '../../../lib';
import { commandStats } from '../../support/redis-commandstats';
import { eventually } from '../../support/wait';
import {
  type AdminClient,
  closeQuietly,
  freshPrefix,
  isReady,
  type RedisClient,
  type Topology,
  useRedisMatrix,
  useRedisNode,
} from '../redis/redis-test.helpers';

const VERSION = '2025-11-25';
const TTL = 30 * 60_000;
/** Fakes only `Date` (from now on): ioredis and the stores keep their real timers. */
function fakeDateOnly(): void {
  jest.useFakeTimers({
    now: Date.now(),
    doNotFake: [
      'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame',
      'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate',
      'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout',
    ],
  });
} // prettier-ignore

/** Commands Redis has run (INFO commandstats), not counting INFO itself. */
async function commandCalls(admin: AdminClient): Promise<number> {
  let total = 0;
  for (const [name, { calls }] of await commandStats(admin)) if (name !== 'info') total += calls;
  return total;
}

/** Generous commandTimeout where the bound is not the point: the machine may be busy. */
const slack = { commandTimeout: 10_000 };

const servers = useRedisMatrix();

interface Instance {
  store: CachingSessionStore;
  cache: MemorySessionStore;
  backend: RedisSessionStore;
  channel?: RedisInvalidationChannel;
  client: RedisClient;
}

const topologies: Topology[] = servers.topologies;

describe.each(topologies)('Two CachingSessionStores sharing one Redis ($name)', (topology) => {
  let prefix: string;
  let opened: Instance[];

  /** One application instance: its own memory cache, the shared Redis. */
  async function instance(
    options: CachingSessionStoreOptions & { withChannel?: boolean } = {},
  ): Promise<Instance> {
    const { withChannel = true, ...rest } = options;
    const client = await topology.connect();
    const backend = new RedisSessionStore(client, { keyPrefix: prefix, ...slack });
    const channel = withChannel
      ? new RedisInvalidationChannel(client, { channel: `${prefix}invalidate` })
      : undefined;
    const cache = new MemorySessionStore();
    const store = new CachingSessionStore(cache, backend, { cacheTtl: 60_000, ...rest, channel });
    const created = { store, cache, backend, channel, client };
    opened.push(created);
    if (channel) await eventually('the channel subscribes', () => channel.connected);
    return created;
  }

  async function sessionCachedBy(a: Instance, id: string): Promise<SessionRecord> {
    const record = new SessionRecord(id, VERSION, TTL);
    record.data = { version: 1 };
    await a.store.create(record);
    expect((await a.store.load(id))?.data).toEqual({ version: 1 });
    expect(await a.cache.load(id)).toBeDefined();
    return record;
  }

  beforeEach(() => {
    prefix = freshPrefix('coherence');
    opened = [];
  });

  afterEach(async () => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    for (const { store, client } of opened) {
      await store.onApplicationShutdown();
      await closeQuietly(client);
    }
  });

  it('after B deletes, A stops serving the session within the pub/sub latency', async () => {
    const [a, b] = [await instance(), await instance()];
    await sessionCachedBy(a, 'deleted-by-b');

    await b.store.delete('deleted-by-b');
    await eventually('A drops it', async () => (await a.cache.load('deleted-by-b')) === undefined);
    expect(await a.store.load('deleted-by-b')).toBeUndefined();
    expect(await a.store.touch('deleted-by-b', TTL)).toBeUndefined();
  });

  it('after B saves new data, A serves the new data within the pub/sub latency', async () => {
    const [a, b] = [await instance(), await instance()];
    const record = await sessionCachedBy(a, 'saved-by-b');

    record.data = { version: 2 };
    await b.store.save(record);
    await eventually(
      'A sees v2',
      async () => (await a.store.load('saved-by-b'))?.data?.version === 2,
    );
    expect((await a.store.touch('saved-by-b', TTL))?.data).toEqual({ version: 2 });
  });

  it('after B updates, A serves the update within the pub/sub latency; parallel updates on both lose nothing', async () => {
    const [a, b] = [await instance(), await instance()];
    await sessionCachedBy(a, 'updated-by-b');
    expect(await b.store.load('updated-by-b')).toBeDefined();

    const updated = await b.store.update('updated-by-b', (r) => void (r.data = { version: 2 }));
    expect(updated).toMatchObject({ revision: 2, data: { version: 2 } });
    await eventually(
      'A sees v2',
      async () => (await a.store.load('updated-by-b'))?.data?.version === 2,
    );

    // 16 loops of 10 increments, half on each instance, each answered from its cache meanwhile.
    const increment = (r: SessionRecord) => void (r.data = { n: Number(r.data?.n ?? 0) + 1 });
    await Promise.all(
      Array.from({ length: 16 }, async (_, loop) => {
        const { store } = loop % 2 === 0 ? a : b;
        for (let i = 0; i < 10; i++) {
          await store.update('updated-by-b', increment);
          expect(await store.touch('updated-by-b', TTL)).toBeDefined();
        }
      }),
    );
    expect((await a.backend.load('updated-by-b'))?.data).toEqual({ n: 160 });
    for (const { store } of [a, b]) {
      await eventually(
        'both instances serve the last update',
        async () => (await store.load('updated-by-b'))?.data?.n === 160,
      );
    }
    // A save of a copy cached before those updates fails instead of undoing them.
    const stale = (await a.cache.load('updated-by-b'))!;
    stale.revision = 2;
    await expect(a.store.save(stale)).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('when the message is lost, serves the old copy for at most cacheTtl', async () => {
    fakeDateOnly();
    const a = await instance({ cacheTtl: 10_000 });
    const silent = await instance({ withChannel: false });
    await sessionCachedBy(a, 'lost-message');

    await silent.store.delete('lost-message');
    jest.setSystemTime(Date.now() + 9_999);
    expect(await a.store.load('lost-message')).toBeDefined();
    jest.setSystemTime(Date.now() + 1);
    expect(await a.store.load('lost-message')).toBeUndefined();
  });

  it('empties the cache when the subscription is lost and comes back', async () => {
    const [a, b] = [await instance(), await instance()];
    const record = await sessionCachedBy(a, 'reconnected');
    let resets = 0;
    a.channel!.subscribe({ invalidate: () => undefined, reset: () => void resets++ });
    // The loss and the return are logged: expected here.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const admin = topology.admin();
    const masters = admin instanceof Cluster ? admin.nodes('master') : [admin];

    // Every subscriber of every instance (theirs are the only pub/sub connections).
    await Promise.all(masters.map((master) => master.client('KILL', 'TYPE', 'pubsub')));
    await eventually('A resubscribes', () => resets > 0 && a.channel!.connected);
    expect(await a.cache.count()).toBe(0);
    record.data = { version: 3 };
    await b.store.save(record);
    await eventually(
      'A sees v3',
      async () => (await a.store.load('reconnected'))?.data?.version === 3,
    );
  });

  it('writes the expiry to Redis once per touchInterval, never lagging more than that', async () => {
    fakeDateOnly();
    const interval = 1_000;
    const a = await instance({ touchInterval: interval });
    await sessionCachedBy(a, 'throttled');
    const steps = [120, 480, 333, 999, 1, 700, 1_500, 64];
    const lags: number[] = [];
    for (let i = 0; i < 40; i++) {
      jest.setSystemTime(Date.now() + steps[i % steps.length]);
      const trueExpiry = (await a.store.touch('throttled', TTL))!.expiresAt.getTime();
      const stored = (await a.backend.load('throttled'))!.expiresAt.getTime();
      lags.push(trueExpiry - stored);
    }
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lags)).toBeLessThan(interval);
    // Some touches were answered locally, some written through.
    expect(lags.filter((lag) => lag > 0).length).toBeGreaterThan(0);
    expect(lags.filter((lag) => lag === 0).length).toBeGreaterThan(0);
  });
});

describe('A CachingSessionStore when its Redis goes down', () => {
  const own = useRedisNode();

  it.each(own.topologies)(
    'costs a hot session no Redis command per request (INFO commandstats; $kind)',
    async (topology) => {
      const client = await topology.connect();
      const admin = topology.admin();
      const backend = new RedisSessionStore(client, slack);
      const channel = new RedisInvalidationChannel(client);
      const store = new CachingSessionStore(new MemorySessionStore(), backend, { channel });
      try {
        await eventually('the channel subscribes', () => channel.connected);
        const cached = await store.create(new SessionRecord('hot-cached', VERSION, TTL));
        const direct = await backend.create(new SessionRecord('hot-direct', VERSION, TTL));

        let before = await commandCalls(admin);
        for (let i = 0; i < 1_000; i++) await store.touch(cached.id, TTL);
        const withCache = (await commandCalls(admin)) - before;
        before = await commandCalls(admin);
        for (let i = 0; i < 1_000; i++) await backend.touch(direct.id, TTL);
        const without = (await commandCalls(admin)) - before;

        expect(without).toBeGreaterThanOrEqual(1_000);
        expect(withCache).toBeLessThanOrEqual(1);
      } finally {
        await store.onApplicationShutdown();
        await closeQuietly(client);
      }
    },
  );

  // Last: it stops and restarts the node.
  it.each(own.topologies)(
    'rejects with kind backend instead of serving its cached copy, and serves again after ($kind)',
    async (topology) => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const client = await topology.connect();
      const channel = new RedisInvalidationChannel(client);
      const store = new CachingSessionStore(
        new MemorySessionStore(),
        // Seconds of margin for the calls before and after the outage (during it, calls fail).
        new RedisSessionStore(client, { commandTimeout: 2_000 }),
        { channel, cacheTtl: 60_000 },
      );
      try {
        await eventually('the channel subscribes', () => channel.connected);
        await store.create(new SessionRecord('outage', VERSION, TTL));
        expect(await store.load('outage')).toBeDefined();

        await own.node().stop();
        await eventually('the channel notices', () => !channel.connected);
        for (const call of [() => store.load('outage'), () => store.touch('outage', TTL)]) {
          await expect(call()).rejects.toMatchObject({
            name: 'SessionStoreError',
            kind: 'backend',
          });
        }

        await own.node().start();
        await eventually('the channel comes back', () => channel.connected);
        // The store's own connection reconnects on its own schedule, not the channel's.
        await eventually('the client reconnects', () => isReady(client));
        // The restarted Redis kept nothing (no persistence): the session is gone everywhere.
        expect(await store.load('outage')).toBeUndefined();
        await store.create(new SessionRecord('after', VERSION, TTL));
        expect(await store.touch('after', TTL)).toBeDefined();
      } finally {
        await store.onApplicationShutdown();
        await closeQuietly(client);
        warn.mockRestore();
        log.mockRestore();
      }
    },
  );
});
