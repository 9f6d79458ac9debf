import { Logger } from '@nestjs/common';
import { McpSessionTransports, type McpSessionModuleOptions } from '../../lib';
import { SampleModule } from '../../sample/sample.module';
import { listen, PLATFORMS, type Platform, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { eventually } from '../support/wait';
import { initialize, INITIALIZE, JSON_POST, post, toolsList } from './gate-http.helpers';

describe.each(PLATFORMS)('Session limits on %s', (platform: Platform) => {
  let store: InstrumentedSessionStore;
  const apps: TestApp[] = [];

  async function boot(options: McpSessionModuleOptions = {}): Promise<TestApp> {
    const app = await listen(
      platform,
      SampleModule.register({ store, cleanupInterval: false, ...options }),
    );
    apps.push(app);
    return app;
  }
  const transports = (app: TestApp) => app.app.get(McpSessionTransports);

  beforeEach(() => {
    store = new InstrumentedSessionStore();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    jest.restoreAllMocks();
  });

  it('maxLocalSessions: the least recently used idle transport is closed, its record kept, and rebuilt on its next request', async () => {
    const app = await boot({ maxLocalSessions: 2 });
    const [a, b, c] = [
      await initialize(app.url),
      await initialize(app.url),
      await initialize(app.url),
    ];
    expect(transports(app).size).toBe(2);
    expect(await store.inner.count!()).toBe(3);
    // a was closed here: its next request rebuilds it from the store (and closes b, now the oldest).
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    expect((await toolsList(app.url, a)).status).toBe(200);
    expect(log.mock.calls.some(([line]) => String(line).startsWith('Restored session'))).toBe(true);
    expect(transports(app).size).toBe(2);
    expect((await toolsList(app.url, c)).status).toBe(200);
    expect((await toolsList(app.url, b)).status).toBe(200);
    expect(transports(app).size).toBe(2);
  });

  it('maxLocalSessions never closes a session in use (an open GET stream)', async () => {
    const app = await boot({ maxLocalSessions: 1 });
    const a = await initialize(app.url);
    const stream = await fetch(`${app.url}/mcp`, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': a },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await initialize(app.url);
    await initialize(app.url);
    // a (streaming) and the newest are live; the one between was closed.
    expect(transports(app).size).toBe(2);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    expect((await toolsList(app.url, a)).status).toBe(200);
    expect(log.mock.calls.some(([line]) => String(line).startsWith('Restored session'))).toBe(
      false,
    );
    await reader.cancel();
  });

  it('perOwner: a principal past its cap gets 429 with Retry-After (logged once); others are served; an ended session frees its place', async () => {
    const app = await boot({
      resolveOwner: (req: { headers: Record<string, string | undefined> }) => req.headers['x-user'],
      sessionLimits: { perOwner: 2, retryAfter: 30 },
    });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const alice = { 'x-user': 'alice' };
    const first = await initialize(app.url, alice);
    await initialize(app.url, alice);
    for (let i = 0; i < 2; i++) {
      const refused = await post(app.url, INITIALIZE, alice);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(refused.body).toEqual({
        jsonrpc: '2.0',
        error: {
          code: -32000,
          message: 'Too Many Requests: too many live sessions for this client',
        },
        id: null,
      });
    }
    expect(warn.mock.calls.filter(([line]) => String(line).includes('perOwner (2)'))).toHaveLength(
      1,
    );
    await initialize(app.url, { 'x-user': 'bob' });
    await initialize(app.url);
    const ended = await fetch(`${app.url}/mcp`, {
      method: 'DELETE',
      headers: { accept: JSON_POST.accept, ...alice, 'mcp-session-id': first },
    });
    expect(ended.status).toBe(200);
    // The owner's sessions are looked up again once the last check is a second old.
    await eventually(
      'a place for alice',
      async () => (await post(app.url, INITIALIZE, alice)).status === 200,
      {
        timeoutMs: 10_000,
        everyMs: 250,
      },
    );
  });

  it('total: past the cap, initialize gets 503 with Retry-After; sessions already open are served', async () => {
    const app = await boot({ sessionLimits: { total: 2 } });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const id = await initialize(app.url);
    await initialize(app.url);
    const refused = await post(app.url, INITIALIZE);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect((await post(app.url, INITIALIZE)).status).toBe(503);
    expect(warn.mock.calls.filter(([line]) => String(line).includes('total (2)'))).toHaveLength(1);
    expect((await toolsList(app.url, id)).status).toBe(200);
    expect(await store.inner.count!()).toBe(2);
  });

  it('refuses invalid limits at boot', async () => {
    await expect(boot({ maxLocalSessions: 0 })).rejects.toThrow(
      /"maxLocalSessions" must be a positive integer/,
    );
    await expect(boot({ sessionLimits: { perOwner: -1 } })).rejects.toThrow(
      /"sessionLimits.perOwner"/,
    );
    await expect(boot({ storeBreaker: { cooldown: -5 } })).rejects.toThrow(
      /"storeBreaker.cooldown"/,
    );
  });
});
