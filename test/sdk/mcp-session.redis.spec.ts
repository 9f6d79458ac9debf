import {
  CachingSessionStore,
  McpSessionTransports,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
  type SessionStore,
} from '../../lib';
import { SampleModule } from '../../sample/sample.module';
import { type RedisNode, startRedisNode } from '../support/redis-harness';
import { listen, PLATFORMS, type Platform, type TestApp } from '../support/http-app';
import { connect, type McpClientSession, rawCall, Router, toolJson } from '../support/mcp-client';
import { eventually } from '../support/wait';

const NOT_FOUND = {
  jsonrpc: '2.0',
  error: { code: -32001, message: 'Session not found' },
  id: null,
};

describe.each(PLATFORMS)('MCP sessions over Redis on %s', (platform: Platform) => {
  let redis: RedisNode;
  const apps: TestApp[] = [];
  const clients: McpClientSession[] = [];

  /** One instance's store: a memory tier over Redis, told of changes by pub/sub. */
  function instanceStore(): CachingSessionStore {
    return new CachingSessionStore(
      new MemorySessionStore(),
      RedisSessionStore.fromUrl(redis.url, { commandTimeout: 5_000 }),
      {
        channel: RedisInvalidationChannel.fromUrl(redis.url),
      },
    );
  }
  async function instance(store: SessionStore = instanceStore()) {
    const app = await listen(
      platform,
      SampleModule.register({
        store,
        cleanupInterval: false,
        // Every instance signs 2026-07-28 request state with the same key.
        requestStateKey: 'mcp-session-redis-spec-shared-key-0123',
      }),
    );
    apps.push(app);
    return { app, store };
  }
  async function client(router: Router) {
    const session = await connect(router);
    clients.push(session);
    return session;
  }
  const count = async (session: McpClientSession) =>
    (toolJson(await session.client.callTool({ name: 'count', arguments: {} })) as { count: number })
      .count;

  beforeAll(async () => {
    redis = await startRedisNode();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const a of apps.splice(0)) await a.close();
  });

  it('two instances with their own caching stores serve one session in turn', async () => {
    const a = await instance();
    const b = await instance();
    const router = new Router(a.app.url);
    const session = await client(router);
    const id = session.sessionId;
    expect(await count(session)).toBe(1);

    router.target = b.app.url;
    expect(await count(session)).toBe(2);
    expect(await count(session)).toBe(3);
    await eventually('A sees the counter B saved', async () => {
      return (await a.store.load(id))?.data?.count === 3;
    });

    router.target = a.app.url;
    expect(await count(session)).toBe(4);
    await eventually('B sees the counter A saved', async () => {
      return (await b.store.load(id))?.data?.count === 4;
    });

    router.target = b.app.url;
    await session.transport.terminateSession();
    expect(await rawCall(b.app.url, id)).toEqual({ status: 404, body: NOT_FOUND });
    await eventually('A sees the deletion', async () => (await a.store.load(id)) === undefined);
    expect(await rawCall(a.app.url, id)).toEqual({ status: 404, body: NOT_FOUND });
  });

  it('a restarted app keeps its clients: the next call with the old session id succeeds', async () => {
    const first = await instance();
    const router = new Router(first.app.url);
    const session = await client(router);
    expect(await count(session)).toBe(1);
    await apps.splice(0).pop()!.close();

    const second = await instance();
    router.target = second.app.url;
    expect(second.app.app.get(McpSessionTransports).size).toBe(0);
    expect(await count(session)).toBe(2);
    expect(second.app.app.get(McpSessionTransports).size).toBe(1);
    const info = toolJson(await session.client.callTool({ name: 'session_info', arguments: {} }));
    expect(info).toMatchObject({ id: session.sessionId, data: { count: 2 } });
  });

  it('answers 503 while Redis is down, and serves again once it is back', async () => {
    // While Redis is down calls fail at once (no offline queue); the bound is only
    // for the calls before the outage, on a machine that may be busy.
    const store = RedisSessionStore.fromUrl(redis.url, { commandTimeout: 3_000 });
    const { app } = await instance(store);
    const router = new Router(app.url);
    const session = await client(router);
    await redis.stop();
    try {
      const down = await rawCall(app.url, session.sessionId);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Service Unavailable: session store unavailable' },
        id: null,
      });
    } finally {
      await redis.start();
    }
    // Redis ran without persistence: the session went with it; a new one works.
    await eventually('the store answers again', async () => {
      return (await rawCall(app.url, session.sessionId)).status === 404;
    });
    const fresh = await client(router);
    expect(await count(fresh)).toBe(1);
  });
});
