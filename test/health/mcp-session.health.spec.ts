import { Test } from '@nestjs/testing';
import { McpSessionHealthIndicator, McpSessionModule } from '../../lib';
import { PLATFORMS, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { connect, type McpClientSession, Router } from '../support/mcp-client';
import { startRedisNode, type RedisNode } from '../support/redis-harness';
import { eventually } from '../support/wait';
import { bootSample, closedPort, getHealth, redisSampleOptions } from './health.apps';

describe.each(PLATFORMS)('GET /health of the sample on %s (memory store)', (platform) => {
  let store: InstrumentedSessionStore;
  let app: TestApp;
  const clients: McpClientSession[] = [];

  beforeEach(async () => {
    store = new InstrumentedSessionStore();
    app = await bootSample({ store }, platform);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await app.close();
  });

  it('is up with the live session count and the round-trip time', async () => {
    expect(await getHealth(app.url)).toEqual({
      status: 200,
      body: expect.objectContaining({
        status: 'ok',
        info: { mcp_session: { status: 'up', sessions: 0, roundTripMs: expect.any(Number) } },
      }),
    });
    clients.push(await connect(new Router(app.url)), await connect(new Router(app.url)));
    const { body } = await getHealth(app.url);
    expect(body.details.mcp_session).toEqual({
      status: 'up',
      sessions: 2,
      roundTripMs: expect.any(Number),
    });
    expect(body.details.mcp_session.roundTripMs).toBeGreaterThanOrEqual(0);
  });

  it('is down with the reason while the store fails, and up again after', async () => {
    store.down(true);
    const { status, body } = await getHealth(app.url);
    expect(status).toBe(503);
    expect(body.status).toBe('error');
    expect(body.error).toEqual({
      mcp_session: { status: 'down', message: expect.stringContaining('backend unreachable') },
    });
    store.down(false);
    expect((await getHealth(app.url)).status).toBe(200);
  });
});

describe('McpSessionHealthIndicator', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  async function indicatorFor(store: InstrumentedSessionStore) {
    const moduleRef = await Test.createTestingModule({
      imports: [McpSessionModule.forRoot({ store, cleanupInterval: false })],
    }).compile();
    return { indicator: moduleRef.get(McpSessionHealthIndicator), moduleRef };
  }

  it('is down once the store has not answered within the timeout (fake clock)', async () => {
    jest.useFakeTimers();
    const store = new InstrumentedSessionStore();
    const release = store.hold('load');
    const { indicator, moduleRef } = await indicatorFor(store);
    let result: unknown;
    const checking = indicator.isHealthy('sessions', { timeout: 2_000 }).then((r) => (result = r));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await checking;
    expect(result).toEqual({
      sessions: { status: 'down', message: 'backend error: no answer within 2000 ms' },
    });
    release();
    await moduleRef.close();
  });

  it('omits the session count for a store without count()', async () => {
    const inner = new InstrumentedSessionStore();
    const store = Object.assign(new InstrumentedSessionStore(inner), { count: undefined });
    const { indicator, moduleRef } = await indicatorFor(store as InstrumentedSessionStore);
    expect(await indicator.isHealthy()).toEqual({
      mcp_session: { status: 'up', roundTripMs: expect.any(Number) },
    });
    await moduleRef.close();
  });

  it('refuses a timeout that is not a positive number of ms', async () => {
    const { indicator, moduleRef } = await indicatorFor(new InstrumentedSessionStore());
    await expect(indicator.isHealthy('x', { timeout: -1 })).rejects.toThrow(/timeout/);
    await moduleRef.close();
  });
});

describe('GET /health of the sample with REDIS_URL', () => {
  let redis: RedisNode;
  let unhandled: jest.SpyInstance;

  beforeAll(async () => {
    redis = await startRedisNode();
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(() => {
    unhandled = jest.spyOn(console, 'error');
  });
  afterEach(() => {
    const lines = unhandled.mock.calls.filter(([first]) => String(first).includes('Unhandled'));
    unhandled.mockRestore();
    expect(lines).toEqual([]);
  });

  it('shows a wrong REDIS_URL: down, with the connection error', async () => {
    const app = await bootSample(redisSampleOptions(`redis://127.0.0.1:${await closedPort()}`));
    try {
      const { status, body } = await getHealth(app.url);
      expect(status).toBe(503);
      expect(body.error?.mcp_session).toEqual({
        status: 'down',
        message: expect.stringMatching(
          /^backend error: .*(reconnecting|ECONNREFUSED|Connection is closed|no answer within)/,
        ),
      });
    } finally {
      await app.close();
    }
  });

  it('is up with Redis, down while it is stopped, up again once it is back', async () => {
    const app = await bootSample(redisSampleOptions(redis.url));
    const client = await connect(new Router(app.url));
    try {
      const up = await getHealth(app.url);
      expect(up.status).toBe(200);
      expect(up.body.info?.mcp_session).toMatchObject({ status: 'up', sessions: 1 });

      await redis.stop();
      const down = await getHealth(app.url);
      expect(down.status).toBe(503);
      expect(down.body.error?.mcp_session).toMatchObject({ status: 'down' });

      await redis.start();
      await eventually(
        'the health check to be up again',
        async () => {
          return (await getHealth(app.url)).status === 200;
        },
        { timeoutMs: 10_000, everyMs: 100 },
      );
    } finally {
      await client.close().catch(() => undefined);
      await app.close();
    }
  });
});
