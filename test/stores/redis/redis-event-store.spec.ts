import { Cluster, Redis } from 'ioredis';
import { RedisEventStore } from '../../../lib';
import type { RedisEventStoreClient } from '../../../lib/stores/redis/redis-event-store.options';
import { commandStats } from '../../support/redis-commandstats';
import { startRedisNode } from '../../support/redis-harness';
import { eventually } from '../../support/wait';
import { eventStoreCases } from '../event-store.cases';
import { closeQuietly, freshPrefix, type RedisClient, useRedisServers } from './redis-test.helpers';

const servers = useRedisServers();
const store = (
  client: RedisClient,
  options: ConstructorParameters<typeof RedisEventStore>[1] = {},
) =>
  new RedisEventStore(client as unknown as RedisEventStoreClient, {
    keyPrefix: freshPrefix('events'),
    ...options,
  });
const note = (n: number) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } });

describe.each(servers.topologies)('RedisEventStore on a $name', (topology) => {
  let client: RedisClient;
  beforeAll(() => {
    client = topology.connect();
  });
  afterAll(() => closeQuietly(client));

  eventStoreCases(() => ({ store: store(client, { maxLength: 10 }), maxLength: 10 }));

  it("keeps a session's events under one key, in the slot of its hash tag, expiring maxAge after the last", async () => {
    const events = store(client, { maxAge: 60_000 });
    const sessionId = '3b0e3c44-6f0e-4c59-9d1e-5e1c2b7b9a01';
    await events.forSession(sessionId).storeEvent('s', note(1));
    const key = events.keyOf(sessionId);
    expect(key.endsWith(`{${sessionId}}`)).toBe(true);
    const node = client instanceof Cluster ? client.nodes('master')[0] : client;
    expect(await node.call('CLUSTER', 'KEYSLOT', key).catch(() => 'no cluster')).toEqual(
      await node.call('CLUSTER', 'KEYSLOT', sessionId).catch(() => 'no cluster'),
    );
    const ttl = await client.pttl(key);
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
      async () => (await client.exists(events.keyOf('aged-4a3c2b1d'))) === 0,
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
  it('costs XADD + PEXPIRE per event and one XRANGE per replay', async () => {
    const node = await startRedisNode();
    const client = new Redis(node.url);
    try {
      const events = store(client).forSession('cost-7d1e');
      const first = await events.storeEvent('s', note(0));
      await client.config('RESETSTAT');
      for (let n = 1; n <= 10; n++) await events.storeEvent('s', note(n));
      await events.replayEventsAfter(first, { send: async () => undefined });
      const stats = await commandStats(client);
      expect(stats.get('xadd')?.calls).toBe(10);
      expect(stats.get('pexpire')?.calls).toBe(10);
      expect(stats.get('xrange')?.calls).toBe(1);
    } finally {
      await closeQuietly(client);
      await node.stop();
    }
  });

  it('fails a call within commandTimeout while Redis is down', async () => {
    const node = await startRedisNode();
    const client = new Redis(node.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
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

  it('closes the connection fromUrl opened, never a client passed in', async () => {
    const node = await startRedisNode();
    const client = new Redis(node.url);
    try {
      const given = store(client);
      await given.onApplicationShutdown();
      expect(await client.ping()).toBe('PONG');
      const own = RedisEventStore.fromUrl(node.url);
      await own.forSession('own-1a2b').storeEvent('s', note(1));
      await own.onApplicationShutdown();
      await expect(own.forSession('own-1a2b').storeEvent('s', note(2))).rejects.toThrow();
    } finally {
      await closeQuietly(client);
      await node.stop();
    }
  });

  it('refuses options it cannot use', () => {
    const client = {} as RedisEventStoreClient;
    expect(() => new RedisEventStore(client, { keyPrefix: 'a{b}' })).toThrow(/keyPrefix/);
    expect(() => new RedisEventStore(client, { maxLength: 1.5 })).toThrow(/maxLength/);
    expect(() => new RedisEventStore(client, { maxAge: 0 })).toThrow(/maxAge/);
    expect(() => new RedisEventStore(client, { commandTimeout: -1 })).toThrow(/commandTimeout/);
  });
});
