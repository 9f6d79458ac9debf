import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RedisInvalidationChannel,
  type SessionInvalidationListener,
  SessionStoreError,
} from '../../../lib';
import { type RedisNode, startRedisNode } from '../../support/redis-harness';
import { eventually } from '../../support/wait';
import {
  CLIENT_KINDS,
  closeQuietly,
  isReady,
  type RedisClient,
  send,
  singleNode,
  useRedisMatrix,
} from './redis-test.helpers';

const servers = useRedisMatrix();

class Recorder implements SessionInvalidationListener {
  readonly events: string[] = [];
  invalidate(id: string): void {
    this.events.push(id);
  }
  reset(): void {
    this.events.push('<reset>');
  }
}

describe.each(servers.topologies)('RedisInvalidationChannel ($name)', (topology) => {
  const clients: RedisClient[] = [];
  const channels: RedisInvalidationChannel[] = [];

  async function channel(): Promise<RedisInvalidationChannel> {
    const client = await topology.connect();
    clients.push(client);
    const created = new RedisInvalidationChannel(client, { channel: 'test:invalidate' });
    channels.push(created);
    return created;
  }

  afterEach(async () => {
    for (const created of channels.splice(0)) await created.onApplicationShutdown();
    for (const client of clients.splice(0)) await closeQuietly(client);
  });

  it('tells every other instance, and every other local listener, but not the publisher', async () => {
    const [a, b] = await Promise.all([channel(), channel()]);
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
    const client = await topology.connect();
    clients.push(client);
    await eventually('the client', () => isReady(client));
    const late = new RedisInvalidationChannel(client, { channel: 'test:invalidate' });
    channels.push(late);
    const other = await channel();
    await eventually('both subscriptions', () => late.connected && other.connected);
    const listener = new Recorder();
    late.subscribe(listener);
    await other.publish('late');
    await eventually('the message', () => listener.events.length === 1);
    expect(listener.events).toEqual(['late']);
  });

  it('stops telling a listener once it unsubscribes', async () => {
    const [a, b] = await Promise.all([channel(), channel()]);
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
    const a = await channel();
    await eventually('the subscription', () => a.connected);
    await a.onApplicationShutdown();
    await a.onApplicationShutdown();
    expect(a.connected).toBe(false);
    expect(await send(clients[0], 'PING')).toBe('PONG');
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
  let log: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    log.mockRestore();
  });

  /** A channel over a connection fromUrl opened, or over a user's client of each kind (its defaults). */
  const variants: [string, () => Promise<[RedisInvalidationChannel, () => Promise<void>]>][] = [
    [
      'fromUrl',
      async () => [
        RedisInvalidationChannel.fromUrl(node.url, { publishTimeout: 200 }),
        async () => undefined,
      ],
    ],
    ...CLIENT_KINDS.map((kind): (typeof variants)[number] => [
      `a ${kind} client`,
      async () => {
        const client = await singleNode(() => node, kind).connect();
        return [
          new RedisInvalidationChannel(client, { publishTimeout: 200 }),
          () => closeQuietly(client),
        ];
      },
    ]),
  ];

  it.each(variants)(
    'reports the loss, resets its listeners on reconnection, then reports connected (%s)',
    async (_, open) => {
      const [channel, close] = await open();
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
        await close();
      }
    },
  );

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
