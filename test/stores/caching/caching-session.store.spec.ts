import {
  CachingSessionStore,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
} from '../../../lib';
import { eventually } from '../../support/wait';
import { closeQuietly, freshPrefix, useRedisMatrix } from '../redis/redis-test.helpers';
import { sessionStoreContract } from '../../../lib/testing';

const servers = useRedisMatrix();

const backends = [
  {
    name: 'memory + memory',
    cleanupExpired: true,
    open: async () => ({
      store: new CachingSessionStore(new MemorySessionStore(), new MemorySessionStore()),
    }),
  },
  ...servers.topologies.map((topology) => ({
    name: `memory + Redis ${topology.name}, with a Redis invalidation channel`,
    // Format 3: Redis expires the records itself and the backend keeps no index to sweep.
    cleanupExpired: false,
    open: async () => {
      const client = await topology.connect();
      const prefix = freshPrefix('caching');
      const channel = new RedisInvalidationChannel(client, { channel: `${prefix}invalidate` });
      const store = new CachingSessionStore(
        new MemorySessionStore(),
        // Generous commandTimeout: the machine may be busy, and the bound is tested elsewhere.
        new RedisSessionStore(client, { keyPrefix: prefix, commandTimeout: 10_000 }),
        { channel },
      );
      // Start with the cache in use: it is bypassed until the channel subscribes.
      await eventually('the channel subscribes', () => channel.connected);
      expect(channel.connected).toBe(true);
      return {
        store,
        close: async () => {
          await store.onApplicationShutdown();
          await closeQuietly(client);
        },
      };
    },
  })),
];

describe.each(backends)('CachingSessionStore, $name', ({ name, open, cleanupExpired }) => {
  sessionStoreContract(`CachingSessionStore (${name})`, open, { cleanupExpired });
});
