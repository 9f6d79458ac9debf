import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  CachingSessionStore,
  McpSessionModule,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
  SessionRecord,
  SessionStore,
} from '../../../lib';
import { startRedisNode, type RedisNode } from '../../support/redis-harness';

/** The README's CachingSessionStore snippets, booted in a real Nest application. */
describe('CachingSessionStore in McpSessionModule (README snippets)', () => {
  let node: RedisNode;

  beforeAll(async () => {
    node = await startRedisNode();
  });
  afterAll(async () => {
    await node.stop();
  });

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

  it('with a client you own: closes its own subscriber on app.close() and leaves your client open', async () => {
    const redis = new Redis(node.url);
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
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });

  it('from URLs: every connection it opened is closed on app.close()', async () => {
    const backend = RedisSessionStore.fromUrl(node.url);
    const channel = RedisInvalidationChannel.fromUrl(node.url);
    const app = await boot(new CachingSessionStore(new MemorySessionStore(), backend, { channel }));
    await serves(app);
    await app.close();
    expect(channel.connected).toBe(false);
    expect(['end', 'close']).toContain((backend.client as Redis).status);
  });
});
