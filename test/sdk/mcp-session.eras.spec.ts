import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { McpSessionModule, RedisSessionStore } from '../../lib';
import { rawCall } from '../support/mcp-client';
import { startRedisNode, type RedisNode } from '../support/redis-harness';
import { eventually } from '../support/wait';
import {
  bootInstance,
  connectV2,
  type ErasInstance,
  Hops,
  modernCall,
  type Negotiation,
  toolJson,
} from './eras.apps';

describe('both eras on one endpoint, two instances on one Redis', () => {
  let redis: RedisNode;
  let a: ErasInstance;
  let b: ErasInstance;
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedisNode();
  }, 60_000);
  afterAll(() => redis.stop());

  beforeEach(async () => {
    const prefix = `eras:${++prefixes}:`;
    a = await bootInstance(redis.url, prefix);
    b = await bootInstance(redis.url, prefix);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  const hops = () => new Hops([a.url, b.url]);

  it('serves a v2 client in legacy mode one session across both instances, auth per request', async () => {
    const via = hops();
    const { client, transport } = await connectV2(via.fetch, 'legacy', { 'x-client': 'app-1' });
    expect(client.getProtocolEra()).toBe('legacy');
    const calls = [];
    for (let i = 0; i < 4; i++) calls.push(toolJson(await client.callTool({ name: 'whoami' })));
    const sessionId = transport.sessionId!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    for (const call of calls) {
      expect(call).toMatchObject({ era: 'legacy', sessionId, clientId: 'app-1' });
    }
    expect(new Set(via.log.map((entry) => entry[0]))).toEqual(new Set(['0', '1']));
    await transport.terminateSession();
    expect((await rawCall(a.url, sessionId)).status).toBe(404);
    expect((await rawCall(b.url, sessionId)).status).toBe(404);
    await client.close();
  });

  it('serves the v1 client one session across both instances', async () => {
    const via = hops();
    const client = new ClientV1({ name: 'v1-client', version: '1.0.0' });
    const transport = new TransportV1(new URL('http://mcp.invalid/mcp'), { fetch: via.fetch });
    await client.connect(transport);
    const first = toolJson(await client.callTool({ name: 'whoami' }));
    const second = toolJson(await client.callTool({ name: 'whoami' }));
    expect(first).toMatchObject({ era: 'legacy', sessionId: transport.sessionId });
    expect(second).toMatchObject({ era: 'legacy', sessionId: transport.sessionId });
    await client.close();
  });

  it.each<[string, Negotiation]>([
    ['auto', 'auto'],
    ['pinned to 2026-07-28', { pin: '2026-07-28' }],
  ])('serves a v2 client in %s mode as 2026-07-28 on both instances, with no store call', async (_name, mode) => {
    const via = hops();
    const { client, transport } = await connectV2(via.fetch, mode, { 'x-user': 'alice', 'x-client': 'app-2' });
    expect(client.getProtocolEra()).toBe('modern');
    const before = a.store.total + b.store.total;
    for (let i = 0; i < 4; i++) {
      expect(toolJson(await client.callTool({ name: 'whoami' }))).toMatchObject({
        era: 'modern',
        sessionId: null,
        user: 'alice',
        clientId: 'app-2',
        owner: 'alice',
      });
    }
    expect(a.store.total + b.store.total).toBe(before);
    expect(transport.sessionId).toBeUndefined();
    expect(new Set(via.log.filter((e) => e.endsWith('tools/call')).map((e) => e[0]))).toEqual(
      new Set(['0', '1']),
    );
    await client.close();
  });

  it('continues a multi-round tool on the other instance (shared request-state key)', async () => {
    const via = hops();
    const { client } = await connectV2(via.fetch, { pin: '2026-07-28' }, { 'x-user': 'alice' });
    const result = toolJson(await client.callTool({ name: 'greet' }));
    expect(result).toEqual({ greeting: 'Hello, Ada!' });
    const rounds = via.log.filter((entry) => entry.endsWith('tools/call'));
    expect(rounds).toHaveLength(2);
    expect(rounds[0][0]).not.toBe(rounds[1][0]);
    await client.close();
  });

  it("refuses a tampered requestState, and another caller's echo of a valid one", async () => {
    const { client } = await connectV2((u, i) => fetch(`${a.url}/mcp`, i), { pin: '2026-07-28' }, {
      'x-user': 'alice',
    });
    const first = (await client.callTool({ name: 'greet' }, { allowInputRequired: true })) as unknown as {
      requestState: string;
    };
    expect(typeof first.requestState).toBe('string');
    const retry = (state: string, user: string) =>
      fetch(
        `${b.url}/mcp`,
        modernCall(
          'greet',
          { inputResponses: { name: { action: 'accept', content: { name: 'Eve' } } }, requestState: state },
          { 'x-user': user },
        ),
      ).then((res) => res.json() as Promise<{ result?: unknown; error?: { code: number } }>);
    expect((await retry(`${first.requestState}-TAMPERED`, 'alice')).error?.code).toBe(-32602);
    expect((await retry(first.requestState, 'bob')).error?.code).toBe(-32602);
    expect(toolJson((await retry(first.requestState, 'alice')).result)).toEqual({ greeting: 'Hello, Eve!' });
    await client.close();
  });

  it("keeps handles in the store for every instance, and refuses another principal's", async () => {
    const alice = await connectV2(hops().fetch, { pin: '2026-07-28' }, { 'x-user': 'alice' });
    const bob = await connectV2(hops().fetch, { pin: '2026-07-28' }, { 'x-user': 'bob' });
    const { counter } = toolJson(await alice.client.callTool({ name: 'counter' })) as { counter: string };
    expect(counter).toMatch(/^mcph_[A-Za-z0-9_-]{32}$/);
    for (const expected of [2, 3]) {
      expect(toolJson(await alice.client.callTool({ name: 'counter', arguments: { counter } }))).toEqual({
        count: expected,
        counter,
      });
    }
    const foreign = await bob.client.callTool({ name: 'counter', arguments: { counter } });
    expect(foreign.isError).toBe(true);
    expect(await a.handles.get('bob', counter)).toBeUndefined();
    expect(await a.handles.update('bob', counter, { count: 99 })).toBe(false);
    expect(await b.handles.delete('bob', counter)).toBe(false);
    expect(await b.handles.get('alice', counter)).toEqual({ count: 3 });
    // A handle is no session id, and a session id no handle.
    expect((await rawCall(a.url, counter)).status).toBe(404);
    const legacy = await connectV2(hops().fetch, 'legacy', { 'x-user': 'alice' });
    const sessionId = legacy.transport.sessionId!;
    expect(await a.handles.get('alice', sessionId)).toBeUndefined();
    expect(await a.handles.delete('alice', sessionId)).toBe(false);
    expect((await a.store.load(sessionId))?.id).toBe(sessionId);
    await Promise.all([alice.client.close(), bob.client.close(), legacy.client.close()]);
  });

  it('delivers a change published on B to a subscriptions/listen stream open on A', async () => {
    const listener = await connectV2((u, i) => fetch(`${a.url}/mcp`, i), { pin: '2026-07-28' });
    const heard: unknown[] = [];
    listener.client.setNotificationHandler('notifications/tools/list_changed', (n) => {
      heard.push(n);
    });
    const subscription = await listener.client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    const publisher = await connectV2((u, i) => fetch(`${b.url}/mcp`, i), { pin: '2026-07-28' });
    await publisher.client.callTool({ name: 'change_tools' });
    await eventually('the list_changed notification on A', () => heard.length === 1);
    await subscription.close();
    await Promise.all([listener.client.close(), publisher.client.close()]);
  });

  it('serves a 2026-07-28 request that carries a stray Mcp-Session-Id and Last-Event-ID as modern', async () => {
    const res = await fetch(
      `${a.url}/mcp`,
      modernCall('whoami', {}, { 'mcp-session-id': 'no-such-session', 'last-event-id': 'stale' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const body = (await res.json()) as { result: unknown };
    expect(toolJson(body.result)).toMatchObject({ era: 'modern', sessionId: null });
  });
});

describe('the request-state key with a shared store', () => {
  let redis: RedisNode;
  beforeAll(async () => {
    redis = await startRedisNode();
  }, 60_000);
  afterAll(() => redis.stop());

  it('is required at boot, by name, when a server factory is configured', async () => {
    const client = new Redis(redis.url);
    const moduleRef = await Test.createTestingModule({
      imports: [
        McpSessionModule.forRoot({
          store: new RedisSessionStore(client),
          createServer: () => ({ connect: async () => undefined, close: async () => undefined }),
        }),
      ],
    }).compile();
    await expect(moduleRef.init()).rejects.toThrow(/option "requestStateKey" is required/);
    // close() awaits the failed initialization again: it rejects the same way.
    await moduleRef.close().catch(() => undefined);
    client.disconnect();
  });

  it('is not required when no server factory is configured (store and interceptor only)', async () => {
    const client = new Redis(redis.url);
    const moduleRef = await Test.createTestingModule({
      imports: [McpSessionModule.forRoot({ store: new RedisSessionStore(client) })],
    }).compile();
    await expect(moduleRef.init()).resolves.toBe(moduleRef);
    await moduleRef.close();
    client.disconnect();
  });
});
