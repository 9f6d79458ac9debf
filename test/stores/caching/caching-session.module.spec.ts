import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import {
  CachingSessionStore,
  McpSessionModule,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
  SessionRecord,
  SessionStore,
} from '../../../lib';
import { closeQuietly, isReady, send, useRedisNode } from '../redis/redis-test.helpers';

/** The README's CachingSessionStore snippets, booted in a real Nest application. */
describe('CachingSessionStore in McpSessionModule (README snippets)', () => {
  const servers = useRedisNode();

  async function boot(store: SessionStore) {
    const moduleRef = await Test.createTestingModule({
      imports: [McpSessionModule.forRoot({ ttl: 30 * 60_000, store })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }

  async function serves(app: Awaited<ReturnType<typeof boot>>): Promise<void> {
    const sessions = app.get(SessionStore);
    const record = await sessions.create(new SessionRecord('readme', '2025-11-25', 60_000));
    expect((await sessions.touch!(record.id, 60_000))?.id).toBe(record.id);
  }

  it.each(servers.topologies)(
    'with a $kind client you own: closes its own subscriber on app.close() and leaves your client open',
    async (topology) => {
      const redis = await topology.connect();
      const channel = new RedisInvalidationChannel(redis);
      const app = await boot(
        new CachingSessionStore(
          new MemorySessionStore(), // this instance's own cache
          new RedisSessionStore(redis), // shared by every instance
          { channel, maxEntries: 10_000, cacheTtl: 10_000 },
        ),
      );
      await serves(app);
      await app.close();
      expect(channel.connected).toBe(false);
      expect(isReady(redis)).toBe(true);
      expect(await send(redis, 'PING')).toBe('PONG');
      await closeQuietly(redis);
    },
  );

  it('from URLs: every connection it opened is closed on app.close()', async () => {
    const backend = RedisSessionStore.fromUrl(servers.node().url);
    const channel = RedisInvalidationChannel.fromUrl(servers.node().url);
    const app = await boot(new CachingSessionStore(new MemorySessionStore(), backend, { channel }));
    await serves(app);
    await app.close();
    expect(channel.connected).toBe(false);
    expect(['end', 'close']).toContain((backend.client as Redis).status);
  });
});
