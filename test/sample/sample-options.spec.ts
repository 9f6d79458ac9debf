import {
  CachingSessionStore,
  MemorySessionStore,
  RedisEventStore,
  RedisServerEventBus,
  RedisSessionMessageBus,
  SessionRecord,
} from '../../lib';
import { sampleMode } from '../../sample/mcp-server.factory';
import { sampleSessionOptions } from '../../sample/session-options';
import { PG_URL } from '../support/postgres-harness';
import { type RedisNode, startRedisNode } from '../support/redis-harness';

describe('the sample configuration', () => {
  it('uses the memory store (the module default) without REDIS_URL', () => {
    expect(sampleSessionOptions({}).store).toBeUndefined();
  });

  it('lets in only local hosts on PORT by default (DNS-rebinding protection)', () => {
    expect(sampleSessionOptions({ PORT: '4000' }).transport).toEqual({
      enableDnsRebindingProtection: true,
      allowedHosts: ['localhost:4000', '127.0.0.1:4000', '[::1]:4000'],
      allowedOrigins: undefined,
    });
  });

  it('turns the host check off with MCP_ALLOWED_HOSTS=*', () => {
    expect(sampleSessionOptions({ MCP_ALLOWED_HOSTS: '*' }).transport).toBeUndefined();
  });

  it('turns on DNS-rebinding protection from MCP_ALLOWED_HOSTS / MCP_ALLOWED_ORIGINS', () => {
    expect(
      sampleSessionOptions({
        MCP_ALLOWED_HOSTS: 'localhost:3000, 127.0.0.1:3000',
        MCP_ALLOWED_ORIGINS: 'http://localhost:3000',
      }).transport,
    ).toEqual({
      enableDnsRebindingProtection: true,
      allowedHosts: ['localhost:3000', '127.0.0.1:3000'],
      allowedOrigins: ['http://localhost:3000'],
    });
  });

  it('reads MCP_SAMPLE_MODE and rejects unknown modes by name', () => {
    expect(sampleMode({})).toBe('sample');
    expect(sampleMode({ MCP_SAMPLE_MODE: 'conformance' })).toBe('conformance');
    expect(() => sampleMode({ MCP_SAMPLE_MODE: 'demo' })).toThrow(/MCP_SAMPLE_MODE/);
  });

  it('uses a caching store over PostgreSQL with DATABASE_URL (and no REDIS_URL)', async () => {
    const { store } = sampleSessionOptions({ DATABASE_URL: PG_URL });
    expect(store).toBeInstanceOf(CachingSessionStore);
    await (store as CachingSessionStore).onApplicationShutdown();
  });

  describe('with REDIS_URL', () => {
    let redis: RedisNode;
    beforeAll(async () => {
      redis = await startRedisNode();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('uses a caching store over Redis that keeps records in Redis, and a Redis event bus', async () => {
      const { store, eventBus, requestStateKey, messageBus, eventStore } = sampleSessionOptions({
        REDIS_URL: redis.url,
        MCP_REQUEST_STATE_KEY: 'sample-options-spec-key-0123456789abcdef',
      });
      expect(store).toBeInstanceOf(CachingSessionStore);
      expect(eventBus).toBeInstanceOf(RedisServerEventBus);
      expect(messageBus).toBeInstanceOf(RedisSessionMessageBus);
      expect(eventStore).toBeInstanceOf(RedisEventStore);
      expect(requestStateKey).toBe('sample-options-spec-key-0123456789abcdef');
      const caching = store as CachingSessionStore;
      try {
        const record = await caching.create(new SessionRecord('sample-1', '2025-11-25', 60_000));
        expect((await caching.load(record.id))?.protocolVersion).toBe('2025-11-25');
        expect(await caching.count!()).toBe(1);
      } finally {
        await caching.onApplicationShutdown();
        await (eventBus as RedisServerEventBus).onApplicationShutdown();
        await (messageBus as RedisSessionMessageBus).onApplicationShutdown();
        await (eventStore as RedisEventStore).onApplicationShutdown();
      }
      expect(store).not.toBeInstanceOf(MemorySessionStore);
    });
  });
});
