import { Test } from '@nestjs/testing';
import { McpSessionModule, RedisSessionStore, SessionRecord, SessionStore } from '../../../lib';
import { closeQuietly, freshPrefix, isReady, send, useRedisNode } from './redis-test.helpers';

const servers = useRedisNode();
/** Generous commandTimeout: these tests are about connections, and the machine may be busy. */
const slack = { commandTimeout: 10_000 };

async function runApp(store: RedisSessionStore): Promise<void> {
  const moduleRef = await Test.createTestingModule({
    imports: [McpSessionModule.forRoot({ store, cleanupInterval: false })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const injected = app.get(SessionStore);
  expect(injected).toBe(store);
  await injected.create(new SessionRecord('lifecycle', '2025-11-25', 60_000));
  expect((await injected.load('lifecycle'))?.id).toBe('lifecycle');
  await app.close();
}

describe('RedisSessionStore connection ownership', () => {
  // fromUrl and fromConnection open ioredis connections: no client kind to vary.
  const node = () => servers.node();

  it('closes the connection it opened (fromUrl) when the Nest application shuts down', async () => {
    const store = RedisSessionStore.fromUrl(node().url, {
      keyPrefix: freshPrefix('own'),
      ...slack,
    });
    expect(store.ownsConnection).toBe(true);
    await runApp(store);
    expect(store.client.status).toBe('end');
    // Idempotent: a second shutdown (another hook, or the user) is harmless.
    await expect(store.onApplicationShutdown()).resolves.toBeUndefined();
    await expect(store.load('lifecycle')).rejects.toMatchObject({ kind: 'backend' });
  });

  it('closes a cluster or options connection it opened (fromConnection)', async () => {
    const store = RedisSessionStore.fromConnection(
      { host: '127.0.0.1', port: node().port },
      { keyPrefix: freshPrefix('own'), ...slack },
    );
    await runApp(store);
    expect(store.client.status).toBe('end');
  });

  it.each(servers.topologies)(
    'never closes a client the user passed in ($kind)',
    async (topology) => {
      const client = await topology.connect();
      try {
        const store = new RedisSessionStore(client, { keyPrefix: freshPrefix('user'), ...slack });
        expect(store.ownsConnection).toBe(false);
        await runApp(store);
        await store.onApplicationShutdown();
        expect(isReady(client)).toBe(true);
        expect(await send(client, 'PING')).toBe('PONG');
        expect((await store.load('lifecycle'))?.id).toBe('lifecycle');
      } finally {
        await closeQuietly(client);
      }
    },
  );

  it('names the option in errors for invalid options, before opening any connection', () => {
    expect(() => RedisSessionStore.fromUrl(node().url, { commandTimeout: 0 })).toThrow(
      /option "commandTimeout" must be a positive number/,
    );
    expect(() => RedisSessionStore.fromUrl(node().url, { indexBuckets: 1.5 })).toThrow(
      /option "indexBuckets"/,
    );
    expect(() =>
      RedisSessionStore.fromUrl(node().url, { keyPrefix: 7 as unknown as string }),
    ).toThrow(/option "keyPrefix"/);
  });
});
