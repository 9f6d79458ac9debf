import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import {
  RedisInvalidationChannel,
  type SessionInvalidationListener,
  SessionStoreError,
} from '../../../lib';
import {
  type RedisClusterHandle,
  type RedisNode,
  startRedisCluster,
  startRedisNode,
} from '../../support/redis-harness';
import { eventually } from '../../support/wait';

class Recorder implements SessionInvalidationListener {
  readonly events: string[] = [];
  invalidate(id: string): void {
    this.events.push(id);
  }
  reset(): void {
    this.events.push('<reset>');
  }
}

interface Topology {
  client(): RedisClient;
  close(): Promise<void>;
}
type RedisClient = Redis | Cluster;

const topologies: [string, () => Promise<Topology>][] = [
  [
    'single node',
    async () => {
      const node = await startRedisNode();
      return { client: () => new Redis(node.url), close: () => node.stop() };
    },
  ],
  [
    'cluster',
    async () => {
      const cluster: RedisClusterHandle = await startRedisCluster();
      return { client: () => new Cluster(cluster.nodes), close: () => cluster.stop() };
    },
  ],
];

describe.each(topologies)('RedisInvalidationChannel (%s)', (_name, open) => {
  let topology: Topology;
  const clients: RedisClient[] = [];
  const channels: RedisInvalidationChannel[] = [];

  function channel(): RedisInvalidationChannel {
    const client = topology.client();
    clients.push(client);
    const created = new RedisInvalidationChannel(client, { channel: 'test:invalidate' });
    channels.push(created);
    return created;
  }

  beforeAll(async () => {
    topology = await open();
  });
  afterAll(async () => {
    await topology.close();
  });
  afterEach(async () => {
    for (const created of channels.splice(0)) await created.onApplicationShutdown();
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('tells every other instance, and every other local listener, but not the publisher', async () => {
    const a = channel();
    const b = channel();
    await eventually('both subscriptions', () => a.connected && b.connected);
    const publisher = new Recorder();
    const neighbour = new Recorder();
    const remote = new Recorder();
    a.subscribe(publisher);
    a.subscribe(neighbour);
    b.subscribe(remote);

    await a.publish('session:1 with spaces', publisher);
    expect(neighbour.events).toEqual(['session:1 with spaces']);
    await eventually('the remote message', () => remote.events.length === 1);
    expect(remote.events).toEqual(['session:1 with spaces']);

    await b.publish('second');
    await eventually('the message back', () => publisher.events.length === 1);
    expect(publisher.events).toEqual(['second']);
    expect(neighbour.events).toEqual(['session:1 with spaces', 'second']);
  });

  it('subscribes with a client that is already connected', async () => {
    const client = topology.client();
    clients.push(client);
    await eventually('the client', () => client.status === 'ready');
    const late = new RedisInvalidationChannel(client, { channel: 'test:invalidate' });
    channels.push(late);
    const other = channel();
    await eventually('both subscriptions', () => late.connected && other.connected);
    const listener = new Recorder();
    late.subscribe(listener);
    await other.publish('late');
    await eventually('the message', () => listener.events.length === 1);
    expect(listener.events).toEqual(['late']);
  });

  it('stops telling a listener once it unsubscribes', async () => {
    const a = channel();
    const b = channel();
    await eventually('both subscriptions', () => a.connected && b.connected);
    const listener = new Recorder();
    const witness = new Recorder();
    const unsubscribe = b.subscribe(listener);
    b.subscribe(witness);
    unsubscribe();
    await a.publish('x');
    await eventually('the witness', () => witness.events.length === 1);
    expect(listener.events).toEqual([]);
  });

  it('closes its own subscriber on shutdown, idempotently, and leaves the user client open', async () => {
    const a = channel();
    await eventually('the subscription', () => a.connected);
    await a.onApplicationShutdown();
    await a.onApplicationShutdown();
    expect(a.connected).toBe(false);
    expect(await clients[0].ping()).toBe('PONG');
  });
});

describe('RedisInvalidationChannel across an outage', () => {
  let node: RedisNode;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    node = await startRedisNode();
  });
  afterAll(async () => {
    await node.stop().catch(() => undefined);
  });
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('reports the loss, resets its listeners on reconnection, then reports connected', async () => {
    const channel = RedisInvalidationChannel.fromUrl(node.url, { publishTimeout: 200 });
    const listener = new Recorder();
    let connectedAtReset: boolean | undefined;
    channel.subscribe({
      invalidate: () => undefined,
      reset: () => (connectedAtReset = channel.connected),
    });
    channel.subscribe(listener);
    try {
      await eventually('the subscription', () => channel.connected);
      expect(listener.events).toEqual(['<reset>']);

      await node.stop();
      await eventually('the loss', () => !channel.connected);
      const error = await channel.publish('lost').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionStoreError);
      expect((error as SessionStoreError).kind).toBe('backend');

      await node.start();
      await eventually('the new subscription', () => channel.connected, { timeoutMs: 10_000 });
      expect(connectedAtReset).toBe(false);
      expect(listener.events).toEqual(['<reset>', 'lost', '<reset>']);
    } finally {
      await channel.onApplicationShutdown();
    }
  });

  it('rejects options it cannot use, naming them', () => {
    const client = new Redis(node.url, { lazyConnect: true });
    expect(() => new RedisInvalidationChannel(client, { channel: '' })).toThrow(
      /option "channel" must be a non-empty string/,
    );
    expect(() => new RedisInvalidationChannel(client, { publishTimeout: 0 })).toThrow(
      /option "publishTimeout" must be a positive number of milliseconds/,
    );
    client.disconnect();
  });
});
