import { McpParseErrorFilter, type McpSessionModuleOptions } from '../../lib';
import { originAllowed } from '../../lib/gate/host-origin';
import { SampleModule } from '../../sample/sample.module';
import { modernCall } from '../sdk/eras.apps';
import { listen, PLATFORMS, type Platform, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { initialize, INITIALIZE, InterceptedModule, post, toolsList } from './gate-http.helpers';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

describe('originAllowed', () => {
  it.each([
    ['http://127.0.0.1:3000', '127.0.0.1:3000', true],
    ['http://LOCALHOST:3000', 'localhost:3000', true],
    ['https://mcp.example.com', 'mcp.example.com', true],
    ['https://mcp.example.com:443', 'mcp.example.com:443', true],
    ['http://mcp.example.com:8080', 'mcp.example.com:8080', true],
    ['http://localhost:5173', '127.0.0.1:3000', true],
    ['http://[::1]:6274', 'localhost:3000', true],
    ['http://localhost:5173', 'mcp.example.com', false],
    ['https://evil.example', '127.0.0.1:3000', false],
    ['https://evil.example', 'mcp.example.com', false],
    ['http://mcp.example.com:8081', 'mcp.example.com:8080', false],
    ['https://mcp.example.com.evil.example', 'mcp.example.com', false],
    ['null', '127.0.0.1:3000', false],
    ['file://', '127.0.0.1:3000', false],
    ['chrome-extension://abcdef', 'localhost:3000', false],
    ['not a url', 'localhost:3000', false],
  ])('default rule: Origin %s for Host %s -> %s', (origin, host, allowed) => {
    expect(originAllowed(origin, host, undefined)).toBe(allowed);
  });

  it('a list allows exactly its origins, and "*" any', () => {
    expect(originAllowed('https://app.example', 'mcp.example', ['https://app.example'])).toBe(true);
    expect(originAllowed('https://mcp.example', 'mcp.example', ['https://app.example'])).toBe(
      false,
    );
    expect(originAllowed('https://evil.example', 'mcp.example', ['*'])).toBe(true);
    expect(originAllowed('https://evil.example', 'mcp.example', [])).toBe(false);
  });
});

describe.each(PLATFORMS)('Origin, Host and Content-Type checks on %s', (platform: Platform) => {
  let store: InstrumentedSessionStore;
  const apps: TestApp[] = [];

  async function boot(
    options: McpSessionModuleOptions = {},
    intercepted = false,
  ): Promise<TestApp> {
    const module = intercepted ? InterceptedModule : SampleModule;
    const app = await listen(
      platform,
      module.register({ store, cleanupInterval: false, ...options }),
    );
    apps.push(app);
    return app;
  }

  beforeEach(() => {
    store = new InstrumentedSessionStore();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('serves requests without Origin, from the own origin and from loopback pages; refuses a foreign one with 403', async () => {
    const app = await boot();
    const port = new URL(app.url).port;
    await initialize(app.url);
    await initialize(app.url, { origin: app.url });
    await initialize(app.url, { origin: 'http://localhost:6274' });
    const foreign = await post(app.url, INITIALIZE, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Invalid Origin header: https://evil.example' },
      id: null,
    });
    expect((await post(app.url, INITIALIZE, { origin: 'null' })).status).toBe(403);
    expect(store.calls.create).toBe(3);
    expect(port).not.toBe('');
  });

  it.each([false, true])(
    'a refused request touches nothing, its session included (behind the interceptor: %s)',
    async (intercepted) => {
      const app = await boot({}, intercepted);
      const id = await initialize(app.url);
      const before = (await store.inner.load(id))!.expiresAt.getTime();
      const calls = store.total;
      const refused = await toolsList(app.url, id, { origin: 'https://evil.example' });
      expect(refused.status).toBe(403);
      expect(store.total).toBe(calls);
      expect((await store.inner.load(id))!.expiresAt.getTime()).toBe(before);
      expect((await toolsList(app.url, id)).status).toBe(200);
    },
  );

  it('with DNS-rebinding protection, a Host outside allowedHosts gets 403 before the store is asked', async () => {
    const app = await boot({
      transport: { enableDnsRebindingProtection: true, allowedHosts: ['mcp.example.com'] },
    });
    const refused = await post(app.url, INITIALIZE);
    expect(refused.status).toBe(403);
    expect(store.total).toBe(0);
  });

  it('allowedOrigins replaces the default; ["*"] allows any origin', async () => {
    const listed = await boot({ transport: { allowedOrigins: ['https://app.example'] } });
    await initialize(listed.url, { origin: 'https://app.example' });
    expect((await post(listed.url, INITIALIZE, { origin: listed.url })).status).toBe(403);
    const any = await boot({ transport: { allowedOrigins: ['*'] } });
    await initialize(any.url, { origin: 'https://evil.example' });
    // The SDK transport does not check again (it would take '*' for an origin).
    const protectedAny = await boot({
      transport: { allowedOrigins: ['*'], enableDnsRebindingProtection: true },
    });
    const id = await initialize(protectedAny.url, { origin: 'https://evil.example' });
    expect(
      (await toolsList(protectedAny.url, id, { origin: 'https://other.example' })).status,
    ).toBe(200);
  });

  it('checks the Origin of MCP 2026-07-28 requests too', async () => {
    const app = await boot();
    const call = (headers: Record<string, string>) =>
      fetch(`${app.url}/mcp`, modernCall('count', {}, headers));
    const refused = await call({ origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    await refused.text();
    const served = await call({ origin: app.url });
    expect(served.status).toBe(200);
    await served.text();
  });

  it('answers a POST that is not application/json with 415, before the store is asked', async () => {
    const app = await boot();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const answer = await post(app.url, INITIALIZE, { 'content-type': type });
      expect(answer.status).toBe(415);
      expect(answer.body).toEqual({
        jsonrpc: '2.0',
        error: {
          code: -32000,
          message: 'Unsupported Media Type: Content-Type must be application/json',
        },
        id: null,
      });
    }
    expect(
      (await post(app.url, INITIALIZE, { 'content-type': 'application/json; charset=utf-8' }))
        .status,
    ).toBe(200);
    expect(store.calls.create).toBe(1);
  });

  it('with McpParseErrorFilter, a body that is not JSON gets 400 with JSON-RPC -32700', async () => {
    @Module({
      imports: [SampleModule.register({ store, cleanupInterval: false })],
      providers: [{ provide: APP_FILTER, useClass: McpParseErrorFilter }],
    })
    class FilteredModule {}
    const app = await listen(platform, FilteredModule);
    apps.push(app);
    for (const body of ['{"jsonrpc":', '{]', 'not json']) {
      const answer = await post(app.url, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        jsonrpc: '2.0',
        error: { code: -32700, message: 'Parse error: Invalid JSON' },
        id: null,
      });
    }
    // Anything else keeps Nest's own answer.
    const other = await fetch(`${app.url}/nowhere`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ statusCode: 404 });
    expect(store.total).toBe(0);
  });
});
