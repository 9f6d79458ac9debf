import { MCP_SESSION_METRICS as M, SessionCleanupService } from '../../lib';
import { sessionMetrics } from '../../lib/metrics/mcp-session.metrics';
import { SampleModule } from '../../sample/sample.module';
import { listen, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { connect, type McpClientSession, rawCall, Router } from '../support/mcp-client';
import { type Collected, installInMemoryMetrics } from './metric-reader';

const OPERATION = 'mcp_session.store.operation';
const STATUS = 'http.response.status_code';

describe('OpenTelemetry metrics (meter nestjs-mcp-session, in-memory reader)', () => {
  let otel: ReturnType<typeof installInMemoryMetrics>;
  let store: InstrumentedSessionStore;
  let a: TestApp;
  let b: TestApp;
  const clients: McpClientSession[] = [];
  const ids: string[] = [];

  beforeAll(() => {
    // Registered before the apps are built, as an application starts its SDK first.
    otel = installInMemoryMetrics();
  });
  afterAll(async () => {
    await otel.shutdown();
  });

  beforeEach(async () => {
    store = new InstrumentedSessionStore();
    a = await listen('express', SampleModule.register({ store }));
    b = await listen('express', SampleModule.register({ store }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await Promise.all([a.close(), b.close()]);
    ids.length = 0;
  });

  /** A session on instance A, through the official SDK client. */
  async function session(router = new Router(a.url)): Promise<McpClientSession> {
    const client = await connect(router);
    clients.push(client);
    ids.push(client.sessionId);
    return client;
  }

  /** What changed between two collections (cumulative counters). */
  function delta(before: Collected, after: Collected, name: string, attrs = {}): number {
    return after.value(name, attrs) - before.value(name, attrs);
  }

  it('counts sessions created, restored on another instance and deleted', async () => {
    const before = await otel.collect();
    const router = new Router(a.url);
    const client = await session(router);
    await session();
    await client.client.listTools();
    router.target = b.url;
    await client.client.listTools();
    await client.transport.terminateSession();

    const after = await otel.collect();
    expect(delta(before, after, M.created)).toBe(2);
    expect(delta(before, after, M.restored)).toBe(1);
    expect(delta(before, after, M.deleted)).toBe(1);
  });

  it('counts the expired records each sweep removed', async () => {
    const before = await otel.collect();
    await session();
    const second = await session();
    await store.expire(second.sessionId);
    expect(await a.app.get(SessionCleanupService).sweep()).toBe(1);
    expect(await a.app.get(SessionCleanupService).sweep()).toBe(0);
    expect(delta(before, await otel.collect(), M.expired)).toBe(1);
  });

  it('reports the live sessions from count()', async () => {
    expect((await otel.collect()).value(M.live)).toBe(0);
    await session();
    await session();
    expect((await otel.collect()).value(M.live)).toBe(2);
    await store.expire(ids[0]);
    expect((await otel.collect()).value(M.live)).toBe(1);
  });

  it('observes nothing new while count() fails (the reader keeps the last value), and records the failure', async () => {
    await session();
    expect((await otel.collect()).value(M.live)).toBe(1);
    await session();
    store.failing.add('count');
    const collected = await otel.collect();
    expect(collected.value(M.live)).toBe(1);
    const failed = { [OPERATION]: 'count', 'error.type': 'backend' };
    expect(collected.count(M.storeDuration, failed)).toBeGreaterThan(0);
  });

  it('times store calls by operation, failed ones with their error type', async () => {
    const before = await otel.collect();
    const client = await session();
    await client.client.listTools();
    await client.client.listTools();
    store.failing.add('touch');
    await expect(client.client.listTools()).rejects.toThrow();
    store.failing.clear();
    await client.transport.terminateSession();
    await a.app.get(SessionCleanupService).sweep();

    const after = await otel.collect();
    const calls = (attrs: Record<string, string>) =>
      after.count(M.storeDuration, attrs) - before.count(M.storeDuration, attrs);
    expect(calls({ [OPERATION]: 'create' })).toBe(1);
    // initialized notification, two tools/list, the DELETE: all through the gate's touch.
    expect(calls({ [OPERATION]: 'touch' })).toBeGreaterThanOrEqual(4);
    expect(calls({ [OPERATION]: 'touch', 'error.type': 'backend' })).toBe(1);
    expect(calls({ [OPERATION]: 'delete' })).toBe(1);
    expect(calls({ [OPERATION]: 'cleanupExpired' })).toBe(1);
    const metric = after.byName.get(M.storeDuration)!;
    expect(metric.descriptor.unit).toBe('s');
    const sum = after
      .points(M.storeDuration)
      .reduce((total, point) => total + (point.value as { sum: number }).sum, 0);
    expect(sum).toBeGreaterThan(0);
  });

  it('counts rejections by status: 400, 404, 503', async () => {
    const before = await otel.collect();
    const client = await session();
    const malformed = await fetch(`${a.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'bad id with spaces',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(malformed.status).toBe(400);
    expect((await rawCall(a.url, 'no-such-session')).status).toBe(404);
    expect((await rawCall(a.url, 'no-such-session-either')).status).toBe(404);
    store.down(true);
    expect((await rawCall(a.url, client.sessionId)).status).toBe(503);
    store.down(false);

    const after = await otel.collect();
    expect(delta(before, after, M.rejected, { [STATUS]: 400 })).toBe(1);
    expect(delta(before, after, M.rejected, { [STATUS]: 404 })).toBe(2);
    expect(delta(before, after, M.rejected, { [STATUS]: 503 })).toBe(1);
  });

  it('counts messages routed between instances by kind', async () => {
    const before = await otel.collect();
    sessionMetrics.routed('request');
    sessionMetrics.routed('request');
    sessionMetrics.routed('notification');
    const after = await otel.collect();
    const kind = 'mcp_session.message.kind';
    expect(delta(before, after, M.routed, { [kind]: 'request' })).toBe(2);
    expect(delta(before, after, M.routed, { [kind]: 'notification' })).toBe(1);
  });

  it('never puts a session id in an attribute', async () => {
    const client = await session();
    await session();
    await client.client.listTools();
    await rawCall(a.url, 'some-unknown-session-id');
    await client.transport.terminateSession();
    const values = (await otel.collect()).attributeValues();
    expect(values.length).toBeGreaterThan(0);
    for (const id of [...ids, 'some-unknown-session-id']) {
      expect(
        values.filter((value) => value.includes(id) || value.includes(id.slice(0, 8))),
      ).toEqual([]);
    }
  });
});
