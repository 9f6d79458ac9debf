import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer, type McpHttpHandler } from '@modelcontextprotocol/server';
import type { McpServerEvent } from '../../../lib/interfaces/server-event-bus.interface';
import { RedisServerEventBus } from '../../../lib/stores/redis/redis-server-event-bus';
import { type RedisNode, startRedisNode } from '../../support/redis-harness';
import { eventually } from '../../support/wait';
import {
  type AdminClient,
  CLIENT_KINDS,
  closeQuietly,
  isReady,
  type RedisClient,
  send,
  singleNode,
  trackPublishes,
  type Topology,
  useRedisMatrix,
} from './redis-test.helpers';

const servers = useRedisMatrix();
/** Waits, with seconds of margin, for what real pub/sub or a restart takes a moment to do. */
const until = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) =>
  eventually(what, check, { timeoutMs, everyMs: 20 });
let channels = 0;
const freshChannel = () => `test:events:${process.pid}:${++channels}`;

const toolsChanged: McpServerEvent = { kind: 'tools_list_changed' };
const updated: McpServerEvent = { kind: 'resource_updated', uri: 'test://r', params: { n: 1 } };
const isFence = (event: McpServerEvent) =>
  event.kind === 'resource_updated' && event.uri.startsWith('fence:');
let fences = 0;

/** Records what a bus delivers to one listener. */
function record(bus: RedisServerEventBus): McpServerEvent[] {
  const events: McpServerEvent[] = [];
  bus.subscribe((event) => events.push(event));
  return events;
}

/** The (admin) connections that PUBLISH goes through: every master. */
async function masters(admin: AdminClient): Promise<Redis[]> {
  if (!(admin instanceof Cluster)) return [admin];
  await until('the cluster client', () => admin.status === 'ready');
  return admin.nodes('master');
}

/** The PUBLISH commands the instances' clients sent (their buses publish without waiting). */
const published: Promise<unknown>[] = [];

/**
 * Waits for every PUBLISH the instances sent, then publishes a fence on every
 * master and waits until every recorder has all of them. Pub/sub keeps the
 * order of one node (and of one cluster-bus link), so anything published
 * before, including an unwanted echo, has arrived by then. (Without the wait,
 * a fence on the admin connection could overtake an event still on its way
 * on an instance's connection.)
 */
async function settle(raw: AdminClient, channel: string, ...recorders: McpServerEvent[][]) {
  await Promise.allSettled(published.splice(0));
  const uris: string[] = [];
  for (const node of await masters(raw)) {
    const uri = `fence:${++fences}`;
    uris.push(uri);
    await node.publish(channel, JSON.stringify({ event: { kind: 'resource_updated', uri } }));
  }
  const seen = (events: McpServerEvent[], uri: string) =>
    events.some((event) => event.kind === 'resource_updated' && event.uri === uri);
  await until('the fences', () =>
    recorders.every((events) => uris.every((uri) => seen(events, uri))),
  );
}

async function namedConnections(raw: AdminClient, name: string): Promise<number> {
  let count = 0;
  for (const node of await masters(raw)) {
    const list = (await node.client('LIST')) as string;
    count += list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  }
  return count;
}

async function serve(handler: McpHttpHandler): Promise<{ server: Server; url: URL }> {
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: new URL(`http://127.0.0.1:${port}/mcp`) };
}

function mcpServer(): McpServer {
  const server = new McpServer(
    { name: 'bus-test', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.registerTool('noop', { description: 'does nothing' }, async () => ({
    content: [{ type: 'text', text: 'ok' }],
  }));
  return server;
}

describe.each(servers.topologies.map((t) => [t.name, t] as const))(
  'RedisServerEventBus (%s)',
  (_name, topology: Topology) => {
    const clients: RedisClient[] = [];
    const buses: RedisServerEventBus[] = [];
    let channel: string;
    /** Publishes raw messages and lists connections: the admin connection (ioredis). */
    let raw: AdminClient;
    let error: jest.SpyInstance;
    let warn: jest.SpyInstance;

    /** One "instance": its own user client and a bus over it. */
    async function instance(): Promise<RedisServerEventBus> {
      const client = await topology.connect();
      clients.push(client);
      trackPublishes(client, published);
      const bus = new RedisServerEventBus(client, { channel });
      buses.push(bus);
      return bus;
    }

    async function twoInstances(): Promise<[RedisServerEventBus, RedisServerEventBus]> {
      const [a, b] = await Promise.all([instance(), instance()]);
      await until('both subscriptions', () => a.connected && b.connected);
      return [a, b];
    }

    beforeEach(() => {
      channel = freshChannel();
      raw = topology.admin();
      error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });
    afterEach(async () => {
      for (const bus of buses.splice(0)) await bus.onApplicationShutdown();
      for (const client of clients.splice(0)) await closeQuietly(client);
      error.mockRestore();
      warn.mockRestore();
    });

    it('delivers an event published on A to the listeners of A and B, exactly once each', async () => {
      const [a, b] = await twoInstances();
      const onA = record(a);
      const onA2 = record(a);
      const onB = record(b);
      a.publish(updated);
      expect(onA).toEqual([updated]);
      await until('the event on B', () => onB.length === 1);
      b.publish(toolsChanged);
      await settle(raw, channel, onA, onA2, onB);
      for (const events of [onA, onA2, onB]) {
        expect(events.filter((event) => !isFence(event))).toEqual([updated, toolsChanged]);
      }
      expect(warn).not.toHaveBeenCalled();
    });

    it('subscribes when given a client that is already connected', async () => {
      const client = await topology.connect();
      clients.push(client);
      await until('the client', () => isReady(client));
      const late = new RedisServerEventBus(client, { channel });
      buses.push(late);
      const other = await instance();
      await until('both subscriptions', () => late.connected && other.connected);
      const events = record(late);
      other.publish(toolsChanged);
      await until('the event', () => events.length === 1);
      expect(events).toEqual([toolsChanged]);
    });

    it('stops delivering to a listener once it unsubscribes (idempotently)', async () => {
      const [a, b] = await twoInstances();
      const gone: McpServerEvent[] = [];
      const unsubscribe = b.subscribe((event) => gone.push(event));
      const witness = record(b);
      unsubscribe();
      unsubscribe();
      expect(b.listenerCount).toBe(1);
      a.publish(toolsChanged);
      await settle(raw, channel, witness);
      expect(witness.filter((event) => !isFence(event))).toEqual([toolsChanged]);
      expect(gone).toEqual([]);
    });

    it('keeps delivering past a throwing listener, locally and remotely', async () => {
      const [a, b] = await twoInstances();
      for (const bus of [a, b]) {
        bus.subscribe(() => {
          throw new Error('listener boom');
        });
      }
      const onA = record(a);
      const onB = record(b);
      expect(() => a.publish(toolsChanged)).not.toThrow();
      await settle(raw, channel, onA, onB);
      expect(onA.filter((event) => !isFence(event))).toEqual([toolsChanged]);
      expect(onB.filter((event) => !isFence(event))).toEqual([toolsChanged]);
      const failures = error.mock.calls.filter(([message]) =>
        String(message).includes('tools_list_changed: listener boom'),
      );
      expect(failures).toHaveLength(2);
    });

    it('drops malformed messages published raw, and still delivers valid ones', async () => {
      const [a, b] = await twoInstances();
      const events = record(a);
      const onB = record(b);
      const malformed = [
        'not json',
        'null',
        '[]',
        '"text"',
        '{}',
        JSON.stringify({ event: { kind: 'unknown_kind' } }),
        JSON.stringify({ event: { kind: 'resource_updated' } }),
        JSON.stringify({ event: { kind: 'resource_updated', uri: 42 } }),
        JSON.stringify({ event: { kind: 'tools_list_changed', params: 'x' } }),
        JSON.stringify({ origin: 7, event: { kind: 'tools_list_changed' } }),
        JSON.stringify({ kind: 'tools_list_changed' }),
      ];
      const [node] = await masters(raw);
      for (const message of malformed) await node.publish(channel, message);
      await node.publish(
        channel,
        JSON.stringify({ event: { kind: 'prompts_list_changed', params: { p: true }, extra: 1 } }),
      );
      await settle(raw, channel, events, onB);
      for (const received of [events, onB]) {
        expect(received.filter((event) => !isFence(event))).toEqual([
          { kind: 'prompts_list_changed', params: { p: true } },
        ]);
      }
      // Once per instance, not once per message.
      const dropped = warn.mock.calls.filter(([message]) => String(message).includes('malformed'));
      expect(dropped).toHaveLength(2);
      expect(a.connected && b.connected).toBe(true);
    });

    it('closes its own subscriber on shutdown, idempotently, and leaves the user client open', async () => {
      const bus = await instance();
      await until('the subscription', () => bus.connected);
      expect(await namedConnections(raw, 'mcp-server-events')).toBe(1);
      await bus.onApplicationShutdown();
      await bus.onApplicationShutdown();
      expect(bus.connected).toBe(false);
      expect(() => bus.publish(toolsChanged)).not.toThrow();
      await until(
        'the subscriber to close',
        async () => (await namedConnections(raw, 'mcp-server-events')) === 0,
      );
      expect(await send(clients[0], 'PING')).toBe('PONG');
    });

    it('carries handler.notify of instance B to a subscriptions/listen stream on instance A (SDK v2)', async () => {
      const [a, b] = await twoInstances();
      const handlerA = createMcpHandler(mcpServer, { legacy: 'reject', bus: a });
      const handlerB = createMcpHandler(mcpServer, { legacy: 'reject', bus: b });
      const httpA = await serve(handlerA);
      const httpB = await serve(handlerB);
      const client = new Client(
        { name: 'bus-client', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      const received: unknown[] = [];
      client.setNotificationHandler('notifications/tools/list_changed', (note) => {
        received.push(note);
      });
      try {
        await client.connect(new StreamableHTTPClientTransport(httpA.url));
        expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
        const subscription = await client.listen({ toolsListChanged: true });
        expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
        await until('the listen stream on the bus', () => a.listenerCount === 1);

        handlerB.notify.toolsChanged();
        await until('the notification', () => received.length === 1);
        expect(received[0]).toMatchObject({
          method: 'notifications/tools/list_changed',
          params: { _meta: { 'io.modelcontextprotocol/subscriptionId': expect.anything() } },
        });
        await subscription.close();
        await until('the listener to go', () => a.listenerCount === 0);
      } finally {
        await client.close();
        await handlerA.close();
        await handlerB.close();
        for (const { server } of [httpA, httpB]) {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      }
    });
  },
);

describe('RedisServerEventBus across an outage', () => {
  let node: RedisNode;
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  beforeAll(async () => {
    node = await startRedisNode();
  });
  afterAll(async () => {
    await node.stop().catch(() => undefined);
  });
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    log.mockRestore();
  });
  const warnings = (text: string) =>
    warn.mock.calls.filter(([message]) => String(message).includes(text)).length;

  it('fromUrl opens two connections and closes both on shutdown, idempotently', async () => {
    const admin = new Redis(node.url);
    const bus = RedisServerEventBus.fromUrl(node.url);
    try {
      await until('the subscription', () => bus.connected);
      await until(
        'the publisher',
        async () => (await namedConnections(admin, 'mcp-server-events-publisher')) === 1,
      );
      expect(await namedConnections(admin, 'mcp-server-events')).toBe(1);
      await bus.onApplicationShutdown();
      await bus.onApplicationShutdown();
      await until(
        'both connections to close',
        async () =>
          (await namedConnections(admin, 'mcp-server-events')) +
            (await namedConnections(admin, 'mcp-server-events-publisher')) ===
          0,
      );
    } finally {
      await bus.onApplicationShutdown();
      await closeQuietly(admin);
    }
  });

  it.each(CLIENT_KINDS)(
    'publishes without throwing while Redis is down, logs once, and delivers again after a restart (%s)',
    async (kind) => {
      const channel = freshChannel();
      // The client's own defaults (an offline queue on both libraries): the
      // bus fails a publish at once while the connection is down and queues
      // nothing (node-redis 5 would keep every event, without bound).
      const client = await singleNode(() => node, kind).connect();
      const sent = trackPublishes(client);
      const a = new RedisServerEventBus(client, { channel });
      const b = RedisServerEventBus.fromUrl(node.url, { channel });
      const onA = record(a);
      const onB = record(b);
      try {
        await until('both subscriptions', () => a.connected && b.connected);

        await node.stop();
        await until('the loss', () => !a.connected && !b.connected && !isReady(client));
        for (let i = 0; i < 5; i++) expect(() => a.publish(toolsChanged)).not.toThrow();
        expect(onA).toHaveLength(5);
        expect(sent).toHaveLength(0);
        await until('the warning', () => warnings('not published') > 0);
        expect(warnings('not published')).toBe(1);
        expect(() => b.publish(toolsChanged)).not.toThrow();
        await until('both subscriber warnings', () => warnings('Server event subscriber') === 2);

        await node.start();
        await until('both subscriptions again', () => a.connected && b.connected, 20_000);
        await until('delivery from A to B', () => {
          a.publish(updated);
          return onB.some((event) => event.kind === 'resource_updated');
        });
        await until('delivery from B to A', () => {
          b.publish({ kind: 'prompts_list_changed' });
          return onA.some((event) => event.kind === 'prompts_list_changed');
        });
        expect(warnings('Server event subscriber')).toBe(2);
        expect(log.mock.calls.some(([m]) => String(m).includes('published again'))).toBe(true);
      } finally {
        await a.onApplicationShutdown();
        await b.onApplicationShutdown();
        await closeQuietly(client);
      }
    },
  );

  it('rejects options it cannot use, naming them', () => {
    const client = new Redis(node.url, { lazyConnect: true });
    expect(() => new RedisServerEventBus(client, { channel: '' })).toThrow(
      /option "channel" must be a non-empty string/,
    );
    expect(() => new RedisServerEventBus(client, { channel: 5 as unknown as string })).toThrow(
      /option "channel" must be a non-empty string, got 5/,
    );
    expect(() => RedisServerEventBus.fromUrl('')).toThrow(/url must be a non-empty string/);
    expect(() => RedisServerEventBus.fromUrl(node.url, { channel: '' })).toThrow(
      /option "channel"/,
    );
    client.disconnect();
  });
});
