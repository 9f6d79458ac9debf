import { Cluster } from 'ioredis';
import { RedisEventStore } from '../../../lib';
import type { RedisEventStoreClient } from '../../../lib/stores/redis/redis-event-store.options';
import { commandStats } from '../../support/redis-commandstats';
import { eventually } from '../../support/wait';
import { eventStoreCases } from '../event-store.cases';
import {
  closeQuietly,
  freshPrefix,
  type RedisClient,
  send,
  singleNode,
  useRedisMatrix,
  useRedisNode,
} from './redis-test.helpers';
import { startRedisNode } from '../../support/redis-harness';

const servers = useRedisMatrix();
const store = (
  client: RedisClient,
  options: ConstructorParameters<typeof RedisEventStore>[1] = {},
) =>
  new RedisEventStore(client, {
    keyPrefix: freshPrefix('events'),
    ...options,
  });
const note = (n: number) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } });

describe.each(servers.topologies)('RedisEventStore on a $name', (topology) => {
  let client: RedisClient;
  beforeAll(async () => {
    client = await topology.connect();
  });
  afterAll(() => closeQuietly(client));

  eventStoreCases(() => ({ store: store(client, { maxLength: 10 }), maxLength: 10 }));

  it("keeps a session's events under one key, in the slot of its hash tag, expiring maxAge after the last", async () => {
    const events = store(client, { maxAge: 60_000 });
    const sessionId = '3b0e3c44-6f0e-4c59-9d1e-5e1c2b7b9a01';
    await events.forSession(sessionId).storeEvent('s', note(1));
    const key = events.keyOf(sessionId);
    expect(key.endsWith(`{${sessionId}}`)).toBe(true);
    const admin = topology.admin();
    const node = admin instanceof Cluster ? admin.nodes('master')[0] : admin;
    expect(await node.call('CLUSTER', 'KEYSLOT', key).catch(() => 'no cluster')).toEqual(
      await node.call('CLUSTER', 'KEYSLOT', sessionId).catch(() => 'no cluster'),
    );
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('replays nothing once the events are older than maxAge (the key is gone)', async () => {
    const events = store(client, { maxAge: 300 });
    const session = events.forSession('aged-4a3c2b1d');
    const first = await session.storeEvent('s', note(1));
    await session.storeEvent('s', note(2));
    await eventually(
      'the key to expire',
      async () => (await topology.admin().exists(events.keyOf('aged-4a3c2b1d'))) === 0,
      {
        timeoutMs: 5_000,
        everyMs: 50,
      },
    );
    const sent: unknown[] = [];
    await session.replayEventsAfter(first, { send: async (_id, m) => void sent.push(m) });
    expect(sent).toEqual([]);
  });
});

describe('RedisEventStore on one node', () => {
  const one = useRedisNode();

  describe.each(one.topologies)('with a $kind client', (topology) => {
    let client: RedisClient;
    beforeEach(async () => {
      client = await topology.connect();
    });
    afterEach(() => closeQuietly(client));

    it('costs XADD + PEXPIRE per event and one XRANGE per replay', async () => {
      const admin = topology.admin();
      const events = store(client).forSession('cost-7d1e');
      const first = await events.storeEvent('s', note(0));
      await admin.config('RESETSTAT');
      for (let n = 1; n <= 10; n++) await events.storeEvent('s', note(n));
      await events.replayEventsAfter(first, { send: async () => undefined });
      const stats = await commandStats(admin);
      expect(stats.get('xadd')?.calls).toBe(10);
      expect(stats.get('pexpire')?.calls).toBe(10);
      expect(stats.get('xrange')?.calls).toBe(1);
    });

    it('never closes a client passed in', async () => {
      const given = store(client);
      await given.forSession('given-1a2b').storeEvent('s', note(1));
      await given.onApplicationShutdown();
      expect(await send(client, 'PING')).toBe('PONG');
    });
  });

  // Its own node, stopped and started: the other cases keep theirs.
  describe.each(one.topologies)('with a $kind client, while Redis is down', (topology) => {
    it('fails a call within commandTimeout', async () => {
      const node = await startRedisNode();
      // ioredis: commands wait in the offline queue for ever (maxRetriesPerRequest: null);
      // node-redis: its default, the offline queue until the connection is back.
      const client = await singleNode(() => node, topology.kind).connect({
        ioredis: { maxRetriesPerRequest: null },
      });
      try {
        const events = store(client, { commandTimeout: 200 }).forSession('down-9c2a');
        await events.storeEvent('s', note(1));
        await node.stop();
        await expect(events.storeEvent('s', note(2))).rejects.toThrow(/no answer within 200 ms/);
      } finally {
        await node.start();
        await closeQuietly(client);
        await node.stop();
      }
    });
  });

  it("names node-redis 6's TimeoutError of a command held in its offline queue (its message is empty)", async () => {
    const node = await startRedisNode();
    // node-redis 6 bounds the wait in its offline queue (commandOptions.timeout,
    // 5 s by default): here 200 ms, well inside the store's 10 s.
    const client = await singleNode(() => node, 'node-redis 6').connect({
      nodeRedis: { commandOptions: { timeout: 200 } },
    });
    try {
      const events = store(client, { commandTimeout: 10_000 }).forSession('held-3e1f');
      await events.storeEvent('s', note(1));
      await node.stop();
      await expect(events.storeEvent('s', note(2))).rejects.toThrow(
        /^TimeoutError \(node-redis gave no message\)$/,
      );
    } finally {
      await node.start();
      await closeQuietly(client);
      await node.stop();
    }
  });

  it('closes the connection fromUrl opened', async () => {
    const own = RedisEventStore.fromUrl(one.node().url);
    await own.forSession('own-1a2b').storeEvent('s', note(1));
    await own.onApplicationShutdown();
    await expect(own.forSession('own-1a2b').storeEvent('s', note(2))).rejects.toThrow();
  });

  it('refuses options it cannot use', () => {
    const client = {} as RedisEventStoreClient;
    expect(() => new RedisEventStore(client, { keyPrefix: 'a{b}' })).toThrow(/keyPrefix/);
    expect(() => new RedisEventStore(client, { maxLength: 1.5 })).toThrow(/maxLength/);
    expect(() => new RedisEventStore(client, { maxAge: 0 })).toThrow(/maxAge/);
    expect(() => new RedisEventStore(client, { commandTimeout: -1 })).toThrow(/commandTimeout/);
  });
});
