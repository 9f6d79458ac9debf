import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import {
  Body,
  Controller,
  Delete,
  type DynamicModule,
  Get,
  Logger,
  Module,
  Post,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  McpSessionInterceptor,
  McpSessionModule,
  McpSessionTransports,
  type McpSessionModuleOptions,
  type SessionStore,
} from '../../lib';
import { SampleServerFactory } from '../../sample/mcp-server.factory';
import { SampleModule } from '../../sample/sample.module';
import { listen, PLATFORMS, type Platform, type TestApp } from '../support/http-app';
import {
  CLIENT_CAPABILITIES,
  CLIENT_INFO,
  connect,
  type McpClientSession,
  rawCall,
  Router,
  toolJson,
} from '../support/mcp-client';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';

/** An MCP endpoint behind the interceptor, which attaches the record for handle(). */
@Controller('mcp')
@UseInterceptors(McpSessionInterceptor)
class InterceptedMcpController {
  constructor(private readonly transports: McpSessionTransports) {}
  @Post()
  post(@Req() req: object, @Res() res: object, @Body() body: unknown) {
    return this.transports.handle(req, res, body);
  }
  @Get()
  get(@Req() req: object, @Res() res: object) {
    return this.transports.handle(req, res);
  }
  @Delete()
  end(@Req() req: object, @Res() res: object) {
    return this.transports.handle(req, res);
  }
}

@Module({})
class InterceptedModule {
  static register(options: McpSessionModuleOptions): DynamicModule {
    return {
      module: InterceptedModule,
      imports: [McpSessionModule.forRoot(options)],
      controllers: [InterceptedMcpController],
    };
  }
}

const NOT_FOUND = {
  jsonrpc: '2.0',
  error: { code: -32001, message: 'Session not found' },
  id: null,
};

describe.each(PLATFORMS)('MCP SDK integration on %s', (platform: Platform) => {
  const apps: TestApp[] = [];
  const clients: McpClientSession[] = [];
  let store: InstrumentedSessionStore;

  async function boot(options: McpSessionModuleOptions = {}, shared: SessionStore = store) {
    const app = await listen(platform, SampleModule.register({ store: shared, ...options }));
    apps.push(app);
    return app;
  }
  async function client(router: Router, options?: Parameters<typeof connect>[1]) {
    const session = await connect(router, options);
    clients.push(session);
    return session;
  }
  /** initialize + notifications/initialized without the SDK client (no GET stream). */
  async function rawInitialize(url: string): Promise<string> {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const init = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: CLIENT_INFO,
        },
      }),
    });
    await init.text();
    const id = init.headers.get('mcp-session-id')!;
    const done = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': id },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(done.status).toBe(202);
    return id;
  }
  /** Moves the stored record's expiry back, so that an extension is visible. */
  async function age(id: string, ms = 10_000) {
    const record = (await store.load(id))!;
    record.lastAccessed = new Date(record.lastAccessed.getTime() - ms);
    record.expiresAt = new Date(record.expiresAt.getTime() - ms);
    await store.save(record);
    return record.expiresAt.getTime();
  }

  beforeEach(() => {
    store = new InstrumentedSessionStore();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const a of apps.splice(0)) await a.close();
    jest.restoreAllMocks();
  });

  it('initialize stores a record with the negotiated version, client info and capabilities', async () => {
    const app = await boot();
    const session = await client(new Router(app.url));
    expect(session.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const record = (await store.load(session.sessionId))!;
    expect(record.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect(record.clientInfo).toEqual(CLIENT_INFO);
    expect(record.clientCapabilities).toEqual(CLIENT_CAPABILITIES);
    expect(record.owner).toBeUndefined();
    expect(app.app.get(McpSessionTransports).size).toBe(1);
  });

  it('listTools and callTool extend the session; the counter lives in record.data', async () => {
    const app = await boot();
    const { client: c, sessionId } = await client(new Router(app.url));
    let before = await age(sessionId);
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['session_info', 'count']));
    expect((await store.load(sessionId))!.expiresAt.getTime()).toBeGreaterThan(before);

    before = await age(sessionId);
    expect(toolJson(await c.callTool({ name: 'count', arguments: {} }))).toEqual({ count: 1 });
    expect(toolJson(await c.callTool({ name: 'count', arguments: { by: 2 } }))).toEqual({
      count: 3,
    });
    const record = (await store.load(sessionId))!;
    expect(record.expiresAt.getTime()).toBeGreaterThan(before);
    expect(record.data).toEqual({ count: 3 });
    const info = toolJson(await c.callTool({ name: 'session_info', arguments: {} }));
    expect(info).toMatchObject({ id: sessionId, clientInfo: CLIENT_INFO, data: { count: 3 } });
  });

  it('answers 404 for an unknown session id and 400 for a malformed one', async () => {
    const app = await boot();
    expect(await rawCall(app.url, 'no-such-session')).toEqual({ status: 404, body: NOT_FOUND });
    expect((await rawCall(app.url, 'bad id')).status).toBe(400);
    const stale = await client(new Router(app.url), { sessionId: 'no-such-session' });
    await expect(stale.client.listTools()).rejects.toMatchObject({ code: 404 });
  });

  it('an expired session gets 404, its transport is swept, and the client can initialize again', async () => {
    const app = await boot({ ttl: 60_000 });
    const router = new Router(app.url);
    const first = await client(router);
    // The session's time runs out: the clock moves past its ttl.
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 60_001);
    await expect(first.client.listTools()).rejects.toMatchObject({ code: 404 });
    const transports = app.app.get(McpSessionTransports);
    expect(await transports.sweep()).toBe(1);
    expect(transports.size).toBe(0);
    expect(await store.count()).toBe(0);

    const second = await client(router);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(toolJson(await second.client.callTool({ name: 'count', arguments: {} }))).toEqual({
      count: 1,
    });
  });

  it('DELETE ends the session: record deleted, transport closed, then 404', async () => {
    const app = await boot();
    const session = await client(new Router(app.url));
    const id = session.sessionId;
    await session.transport.terminateSession();
    expect(await store.load(id)).toBeUndefined();
    expect(app.app.get(McpSessionTransports).size).toBe(0);
    expect(store.log.filter((c) => c === 'delete')).toEqual(['delete']);
    expect(await rawCall(app.url, id)).toEqual({ status: 404, body: NOT_FOUND });
  });

  it("binds a session to its owner: another owner's request gets 404, the owner's 200", async () => {
    const app = await boot({
      resolveOwner: (req: { headers: Record<string, string | undefined> }) => req.headers['x-user'],
    });
    const router = new Router(app.url);
    const alice = await client(router, { headers: { 'x-user': 'alice' } });
    expect((await store.load(alice.sessionId))!.owner).toBe('alice');
    const mallory = await client(router, {
      headers: { 'x-user': 'mallory' },
      sessionId: alice.sessionId,
    });
    await expect(mallory.client.listTools()).rejects.toMatchObject({ code: 404 });
    expect((await alice.client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('answers 503 and keeps nothing when the store fails on initialize', async () => {
    const app = await boot();
    store.down(true);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(connect(new Router(app.url))).rejects.toThrow(/session store unavailable/);
    store.down(false);
    expect(await store.count()).toBe(0);
    expect(app.app.get(McpSessionTransports).size).toBe(0);
  });

  it('costs one store call per request (handle() runs the session check itself)', async () => {
    const app = await boot();
    const id = await rawInitialize(app.url);
    store.log = [];
    expect((await rawCall(app.url, id)).status).toBe(200);
    expect(store.log).toEqual(['touch']);
  });

  it('behind the interceptor, handle() reuses the record it attached; DELETE deletes once', async () => {
    const app = await listen(
      platform,
      InterceptedModule.register({
        store,
        // The README's createServer snippet.
        createServer: () => {
          const server = new McpServer({ name: 'my-server', version: '1.0.0' });
          server.registerTool('hello', {}, async () => ({
            content: [{ type: 'text', text: 'hi' }],
          }));
          return server;
        },
      }),
    );
    apps.push(app);
    const id = await rawInitialize(app.url);
    store.log = [];
    expect((await rawCall(app.url, id)).status).toBe(200);
    expect(store.log).toEqual(['touch']);

    const session = await client(new Router(app.url));
    expect(await session.client.callTool({ name: 'hello', arguments: {} })).toEqual({
      content: [{ type: 'text', text: 'hi' }],
    });
    expect(await rawCall(app.url, 'no-such-session')).toEqual({ status: 404, body: NOT_FOUND });
    expect((await rawCall(app.url, 'bad id')).status).toBe(400);
    store.log = [];
    await session.transport.terminateSession();
    expect(store.log.filter((call) => call === 'delete')).toEqual(['delete']);
    expect(await rawCall(app.url, session.sessionId)).toEqual({ status: 404, body: NOT_FOUND });
  });

  it("the sample's GET /session shows the caller's session through the interceptor", async () => {
    const app = await boot();
    const { sessionId, client: c } = await client(new Router(app.url));
    await c.callTool({ name: 'count', arguments: {} });
    const show = (id?: string) =>
      fetch(`${app.url}/session`, { headers: id ? { 'mcp-session-id': id } : {} }).then(
        async (res) => ({ status: res.status, body: await res.json() }),
      );
    const mine = await show(sessionId);
    expect(mine.status).toBe(200);
    expect(mine.body.session).toMatchObject({
      id: sessionId,
      clientInfo: CLIENT_INFO,
      data: { count: 1 },
    });
    expect(await show('no-such-session')).toEqual({ status: 404, body: NOT_FOUND });
    expect((await show()).body.session).toBeNull();
  });

  it('passes DNS-rebinding options to the transports', async () => {
    const app = await boot({
      transport: { enableDnsRebindingProtection: true, allowedHosts: ['mcp.example.test'] },
    });
    await expect(connect(new Router(app.url))).rejects.toThrow(/403|Invalid Host/);
    expect(await store.count()).toBe(0);
  });

  it('serves a session on another instance and back, sharing one rebuild for concurrent calls', async () => {
    const a = await boot();
    const b = await boot();
    const router = new Router(a.url);
    const { client: c, sessionId } = await client(router);
    expect(toolJson(await c.callTool({ name: 'count', arguments: {} }))).toEqual({ count: 1 });

    const built = jest.spyOn(SampleServerFactory.prototype, 'createServer');
    router.target = b.url;
    const results = await Promise.all([
      c.callTool({ name: 'count', arguments: {} }),
      c.callTool({ name: 'count', arguments: {} }),
    ]);
    expect(results.map(toolJson)).toEqual(expect.arrayContaining([{ count: 2 }, { count: 3 }]));
    expect(built).toHaveBeenCalledTimes(1);
    expect(b.app.get(McpSessionTransports).size).toBe(1);
    const info = toolJson(await c.callTool({ name: 'instance_info', arguments: {} }));
    expect(info).toMatchObject({ pid: process.pid, builtFor: CLIENT_INFO });

    router.target = a.url;
    expect(toolJson(await c.callTool({ name: 'count', arguments: {} }))).toEqual({ count: 4 });

    router.target = b.url;
    await clients.pop()!.transport.terminateSession();
    expect(await rawCall(a.url, sessionId)).toEqual({ status: 404, body: NOT_FOUND });
    await c.close();
  });

  it('keeps serving a session after the app restarts on the same store', async () => {
    const first = await boot();
    const router = new Router(first.url);
    const { client: c } = await client(router);
    expect(toolJson(await c.callTool({ name: 'count', arguments: {} }))).toEqual({ count: 1 });
    await apps.splice(0).pop()!.close();

    const second = await boot();
    router.target = second.url;
    expect(toolJson(await c.callTool({ name: 'count', arguments: {} }))).toEqual({ count: 2 });
  });
});
