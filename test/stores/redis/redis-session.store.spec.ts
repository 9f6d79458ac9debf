import { RedisSessionStore, SessionRecord } from '../../../lib';
import { sessionStoreContract } from '../../../lib/testing';
import {
  closeQuietly,
  freshPrefix,
  isReady,
  keysUnder,
  type RedisClient,
  send,
  type Topology,
  useRedisMatrix,
} from './redis-test.helpers';

const servers = useRedisMatrix();

// Generous commandTimeout: the machine running the suite may be busy, and
// these tests are about behaviour; the bound itself is tested in the outage spec.
const topologies: Topology[] = servers.topologies;

describe.each(topologies)('RedisSessionStore on a $name', (topology) => {
  // One connection for the whole contract run, connected before the first
  // test: the contract's short-ttl cases should not pay for connection (or
  // cluster slot discovery) set-up. Each test still gets an empty store
  // through its own key prefix.
  let shared: RedisClient | undefined;
  afterAll(async () => {
    if (shared) await closeQuietly(shared);
  });

  sessionStoreContract(`RedisSessionStore (${topology.name})`, async () => {
    if (!shared) {
      shared = await topology.connect();
      await send(shared, 'PING');
    }
    return {
      store: new RedisSessionStore(shared, { keyPrefix: freshPrefix(), commandTimeout: 10_000 }),
    };
  });

  // Format 2 (the first step of a rolling upgrade): the same contract, with an
  // expiry index and so cleanupExpired. The commands are the client's own
  // either way: one kind per topology is enough.
  if (topology.kind === 'ioredis 5') {
    sessionStoreContract(
      `RedisSessionStore, recordFormat 2 (${topology.name})`,
      async () => {
        if (!shared) {
          shared = await topology.connect();
          await send(shared, 'PING');
        }
        const options = {
          keyPrefix: freshPrefix(),
          commandTimeout: 10_000,
          recordFormat: 2 as const,
        };
        return { store: new RedisSessionStore(shared, options) };
      },
      { cleanupExpired: true },
    );
  }

  describe('Redis specifics', () => {
    let clients: RedisClient[];
    let prefix: string;
    const open = async (): Promise<RedisSessionStore> => {
      const client = await topology.connect();
      clients.push(client);
      return new RedisSessionStore(client, { keyPrefix: prefix, commandTimeout: 10_000 });
    };

    beforeEach(() => {
      clients = [];
      prefix = freshPrefix('spec');
    });

    afterEach(async () => {
      await Promise.all(clients.map(closeQuietly));
    });

    it('lets exactly one of two instances win a create race; the loser gets a fresh id', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      for (let round = 0; round < 50; round++) {
        const id = `race-${round}`;
        const first = new SessionRecord(id, '2025-11-25', 60_000);
        const second = new SessionRecord(id, '2025-11-25', 60_000);
        first.data = { by: 'a' };
        second.data = { by: 'b' };
        await Promise.all([a.create(first), b.create(second)]);

        const winners = [first, second].filter((record) => record.id === id);
        expect(winners).toHaveLength(1);
        const loser = winners[0] === first ? second : first;
        expect(loser.id).toMatch(/^[0-9a-f-]{36}$/);
        expect((await a.load(id))?.data).toEqual(winners[0].data);
        expect((await b.load(loser.id))?.data).toEqual(loser.data);
      }
      expect(await a.count()).toBe(100);
    });

    it('never resurrects a session in thousands of interleaved touch/delete pairs', async () => {
      const [toucher, deleter] = await Promise.all([open(), open()]);
      const ids = Array.from({ length: 3000 }, (_, i) => `pair-${i}`);
      for (let i = 0; i < ids.length; i += 250) {
        await Promise.all(
          ids
            .slice(i, i + 250)
            .map((id) => toucher.create(new SessionRecord(id, '2025-11-25', 60_000))),
        );
      }
      expect(await toucher.count()).toBe(ids.length);

      let touchedFirst = 0;
      for (let i = 0; i < ids.length; i += 100) {
        await Promise.all(
          ids.slice(i, i + 100).map(async (id, j) => {
            // Alternate which call is issued first, so both orders happen.
            const [touched] =
              j % 2 === 0
                ? await Promise.all([toucher.touch(id, 600_000), deleter.delete(id)])
                : (await Promise.all([deleter.delete(id), toucher.touch(id, 600_000)])).reverse();
            if (touched) touchedFirst++;
          }),
        );
      }

      expect(touchedFirst).toBeGreaterThan(0);
      for (const id of ids) expect(await toucher.load(id)).toBeUndefined();
      expect(await toucher.count()).toBe(0);
      // No record key and no index entry is left behind.
      expect(await keysUnder(topology.admin(), prefix)).toEqual([]);
      // 12,000 round trips: about 1.5 s here, but a loaded machine can slow them many times over.
    }, 120_000);

    it('keeps ids that look like keys, tags or patterns apart, inside the prefix', async () => {
      const store = await open();
      const ids = [
        '',
        ':',
        '#expiry',
        '}:x',
        '{0}#expiry',
        '{1}:a',
        `${prefix}{1}:a`,
        '*',
        '\\*',
        'a b\r\nc',
        'ünïcödé-🙂',
        '\u0000',
      ];
      for (const id of ids) {
        const record = new SessionRecord(id, '2025-11-25', 60_000);
        record.data = { id };
        await store.create(record);
        expect(record.id).toBe(id);
      }
      expect(await store.count()).toBe(ids.length);
      for (const id of ids) expect((await store.load(id))?.data).toEqual({ id });

      await store.delete('{0}#expiry');
      await store.delete('*');
      expect(await store.count()).toBe(ids.length - 2);
      for (const id of ids.filter((id) => id !== '{0}#expiry' && id !== '*')) {
        expect((await store.load(id))?.data).toEqual({ id });
      }
      const keys = await keysUnder(topology.admin(), prefix);
      expect(keys.every((key) => /^\{\d+\}[:#]/.test(key.slice(prefix.length)))).toBe(true);
      expect(keys.filter((key) => key.endsWith('#expiry')).length).toBeLessThanOrEqual(16);
    });

    it('never closes the client passed in, on shutdown or after', async () => {
      const store = await open();
      const [client] = clients;
      await store.create(new SessionRecord('kept-open', '2025-11-25', 60_000));
      expect(store.ownsConnection).toBe(false);
      await store.onApplicationShutdown();
      expect(isReady(client)).toBe(true);
      expect(await send(client, 'PING')).toBe('PONG');
      expect((await store.load('kept-open'))?.id).toBe('kept-open');
    });

    it('lets Redis expire the record itself at expiresAt (PXAT)', async () => {
      const store = await open();
      const record = new SessionRecord('native-expiry', '2025-11-25', 60_000);
      await store.create(record);
      const [key] = (await keysUnder(topology.admin(), prefix)).filter((k) =>
        k.endsWith(':native-expiry'),
      );
      expect(await topology.admin().pexpiretime(key)).toBe(record.expiresAt.getTime());
      const touched = await store.touch('native-expiry', 120_000);
      expect(await topology.admin().pexpiretime(key)).toBe(touched!.expiresAt.getTime());
    });
  });
});

describe('RedisSessionStore.fromConnection on a cluster', () => {
  it('opens its own Cluster connection, serves, and ends it on shutdown', async () => {
    const store = RedisSessionStore.fromConnection(
      { cluster: servers.cluster().nodes },
      { keyPrefix: freshPrefix('owned-cluster') },
    );
    expect(store.client.isCluster).toBe(true);
    for (let i = 0; i < 20; i++) {
      await store.create(new SessionRecord(`owned-${i}`, '2025-11-25', 60_000));
    }
    expect(await store.count()).toBe(20);
    expect((await store.touch('owned-7', 60_000))?.id).toBe('owned-7');
    await store.onApplicationShutdown();
    await store.onApplicationShutdown();
    expect(store.client.status).toBe('end');
  });
});
