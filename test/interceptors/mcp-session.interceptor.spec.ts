import { Controller, Delete, Get, Logger, Post, UseInterceptors } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import {
  McpSession,
  McpSessionInterceptor,
  type McpSessionModuleOptions,
  MemorySessionStore,
  SessionRecord,
  type SessionStore,
} from '../../lib';
import { bootApp, PLATFORMS, type Platform, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';

@Controller('mcp')
@UseInterceptors(McpSessionInterceptor)
class EchoController {
  @Post()
  post(@McpSession() session?: SessionRecord) {
    return { session: session?.id ?? null, expiresAt: session?.expiresAt ?? null };
  }
  @Get()
  get(@McpSession() session?: SessionRecord) {
    return { session: session?.id ?? null };
  }
  @Delete()
  remove(@McpSession() session?: SessionRecord) {
    return { deleted: session?.id ?? null };
  }
}

@Controller('open')
class OpenController {
  @Get()
  get(@McpSession() session?: SessionRecord) {
    return { session: session?.id ?? null };
  }
}

const NOT_FOUND = {
  jsonrpc: '2.0',
  error: { code: -32001, message: 'Session not found' },
  id: null,
};

/** A raw request, so that headers can be repeated or odd. */
function send(
  url: string,
  method: string,
  headers: Record<string, string | string[]> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/mcp`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function liveSession(store: SessionStore, id: string, owner?: string) {
  const record = new SessionRecord(id, '2025-11-25', 60_000);
  if (owner) record.owner = owner;
  await store.save(record);
  return record;
}

describe.each(PLATFORMS)('McpSessionInterceptor on %s', (platform: Platform) => {
  let store: InstrumentedSessionStore;
  let http: TestApp;

  async function boot(options: McpSessionModuleOptions & { globalInterceptor?: boolean } = {}) {
    store = (options.store as InstrumentedSessionStore) ?? new InstrumentedSessionStore();
    http = await bootApp(platform, { cleanupInterval: false, ...options, store }, [
      EchoController,
      OpenController,
    ]);
  }

  afterEach(async () => {
    await http?.close();
    jest.restoreAllMocks();
  });

  it('passes a request without mcp-session-id through untouched', async () => {
    await boot();
    const res = await send(http.url, 'POST');
    expect(res).toEqual({ status: 201, body: { session: null, expiresAt: null } });
    expect(store.log).toEqual([]);
  });

  it('passes a 2026-07-28 request with a stray mcp-session-id through untouched', async () => {
    await boot();
    const res = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'mcp-session-id': 'no-such-session',
        'mcp-protocol-version': '2026-07-28',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ session: null, expiresAt: null });
    expect(store.log).toEqual([]);
  });

  it('still answers 404 for a 2025-era request with an unknown mcp-session-id and a JSON body', async () => {
    await boot();
    const res = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-session-id': 'no-such-session' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });

  it.each([
    ['too long', 'a'.repeat(256)],
    ['a space', 'abc def'],
    ['a control character', 'abc\tdef'],
    ['non-ASCII', 'caf\u00e9'],
    ['empty', ''],
  ])('answers 400 for a header with %s, without consulting the store', async (_what, id) => {
    await boot();
    const res = await send(http.url, 'POST', { 'mcp-session-id': id });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Bad Request: malformed Mcp-Session-Id header' },
      id: null,
    });
    expect(store.log).toEqual([]);
  });

  it('answers 400 for a repeated header', async () => {
    await boot();
    await liveSession(store, 'abc');
    store.log = [];
    const res = await send(http.url, 'GET', { 'mcp-session-id': ['abc', 'abc'] });
    expect(res.status).toBe(400);
    expect(store.log).toEqual([]);
  });

  it('accepts 255 visible ASCII characters', async () => {
    await boot();
    const id = '!~' + 'x'.repeat(253);
    await liveSession(store, id);
    expect((await send(http.url, 'GET', { 'mcp-session-id': id })).status).toBe(200);
  });

  it('answers 404 with the JSON-RPC body for an unknown session', async () => {
    await boot();
    const res = await send(http.url, 'POST', { 'mcp-session-id': 'unknown-session' });
    expect(res).toEqual({ status: 404, body: NOT_FOUND });
  });

  it('answers 404 for an expired session', async () => {
    await boot();
    await liveSession(store, 'old-session');
    await store.expire('old-session');
    const res = await send(http.url, 'POST', { 'mcp-session-id': 'old-session' });
    expect(res).toEqual({ status: 404, body: NOT_FOUND });
  });

  it('extends a live session with one touch and hands the record to @McpSession()', async () => {
    await boot({ ttl: 600_000 });
    const before = await liveSession(store, 'live-session');
    store.log = [];
    const res = await send(http.url, 'POST', { 'mcp-session-id': 'live-session' });
    expect(res.status).toBe(201);
    const body = res.body as { session: string; expiresAt: string };
    expect(body.session).toBe('live-session');
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(before.expiresAt.getTime());
    expect(store.log).toEqual(['touch']);
    expect((await store.load('live-session'))!.expiresAt.toISOString()).toBe(body.expiresAt);
  });

  it('loads, touches and saves with a store that has no touch()', async () => {
    const inner = new MemorySessionStore();
    const calls: string[] = [];
    const bare: SessionStore = {
      create: (r) => inner.create(r),
      save: (r) => (calls.push('save'), inner.save(r)),
      load: (id) => (calls.push('load'), inner.load(id)),
      delete: (id) => inner.delete(id),
    };
    const before = await liveSession(inner, 'bare-session');
    http = await bootApp(platform, { store: bare, ttl: 600_000, cleanupInterval: false }, [
      EchoController,
    ]);
    const res = await send(http.url, 'POST', { 'mcp-session-id': 'bare-session' });
    expect(res.status).toBe(201);
    expect(calls).toEqual(['load', 'save']);
    const after = await inner.load('bare-session');
    expect(after!.expiresAt.getTime()).toBeGreaterThan(before.expiresAt.getTime());
  });

  it("serves a session only to its owner; another owner's request gets 404", async () => {
    await boot({
      resolveOwner: (req: { headers: Record<string, string> }) => req.headers['x-user'],
    });
    const record = await liveSession(store, 'alice-session', 'alice');
    const expiresAt = record.expiresAt.getTime();
    const mallory = await send(http.url, 'POST', {
      'mcp-session-id': 'alice-session',
      'x-user': 'mallory',
    });
    expect(mallory).toEqual({ status: 404, body: NOT_FOUND });
    const anonymous = await send(http.url, 'POST', { 'mcp-session-id': 'alice-session' });
    expect(anonymous).toEqual({ status: 404, body: NOT_FOUND });
    // A refused request does not extend the session.
    expect((await store.load('alice-session'))!.expiresAt.getTime()).toBe(expiresAt);
    const alice = await send(http.url, 'POST', {
      'mcp-session-id': 'alice-session',
      'x-user': 'alice',
    });
    expect(alice.status).toBe(201);
    expect((alice.body as { session: string }).session).toBe('alice-session');
  });

  it('answers 503 when the store fails, logging once with the id shortened', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await boot();
    const id = 'f'.repeat(40);
    await liveSession(store, id);
    store.down(true);
    const res = await send(http.url, 'POST', { 'mcp-session-id': id });
    expect(res).toEqual({
      status: 503,
      body: {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Service Unavailable: session store unavailable' },
        id: null,
      },
    });
    expect(error).toHaveBeenCalledTimes(1);
    const line = String(error.mock.calls[0][0]);
    expect(line).toContain('ffffffff…');
    expect(line).toContain('connection refused');
    expect(line).not.toContain(id);
  });

  it('deletes the record on DELETE after the handler; the next request gets 404', async () => {
    await boot();
    await liveSession(store, 'bye-session');
    const res = await send(http.url, 'DELETE', { 'mcp-session-id': 'bye-session' });
    expect(res).toEqual({ status: 200, body: { deleted: 'bye-session' } });
    expect(await store.load('bye-session')).toBeUndefined();
    expect((await send(http.url, 'GET', { 'mcp-session-id': 'bye-session' })).status).toBe(404);
  });

  it('leaves routes without the interceptor alone, unless globalInterceptor is set', async () => {
    await boot();
    const open = (headers: Record<string, string>) =>
      fetch(`${http.url}/open`, { headers }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    expect(await open({ 'mcp-session-id': 'unknown' })).toEqual({
      status: 200,
      body: { session: null },
    });
    await http.close();

    await boot({ globalInterceptor: true });
    await liveSession(store, 'global-session');
    expect((await open({ 'mcp-session-id': 'unknown' })).status).toBe(404);
    expect(await open({ 'mcp-session-id': 'global-session' })).toEqual({
      status: 200,
      body: { session: 'global-session' },
    });
  });
});
