import { Logger } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { type McpSessionBusMessage, RedisSessionMessageBus } from '../../../lib';
import { startRedisNode } from '../../support/redis-harness';
import { eventually } from '../../support/wait';
import {
  type AdminClient,
  CLIENT_KINDS,
  closeQuietly,
  freshPrefix,
  isReady,
  type RedisClient,
  send,
  singleNode,
  useRedisMatrix,
} from './redis-test.helpers';

const servers = useRedisMatrix();
const until = (what: string, check: () => boolean | Promise<boolean>) =>
  eventually(what, check, { timeoutMs: 10_000, everyMs: 20 });

function listen(bus: RedisSessionMessageBus): McpSessionBusMessage[] {
  const heard: McpSessionBusMessage[] = [];
  bus.subscribe((message) => heard.push(message));
  return heard;
}

async function namedConnections(admin: AdminClient, name: string): Promise<number> {
  const nodes = admin instanceof Cluster ? admin.nodes('master') : [admin];
  let count = 0;
  for (const node of nodes) {
    const list = (await node.client('LIST')) as string;
    count += list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  }
  return count;
}

describe.each(servers.topologies)('RedisSessionMessageBus on a $name', (topology) => {
  let client: RedisClient;
  let buses: RedisSessionMessageBus[];
  let channel: string;
  const bus = () => {
    const made = new RedisSessionMessageBus(client, { channel });
    buses.push(made);
    return made;
  };
  beforeAll(async () => {
    client = await topology.connect();
    await until('the client', () => isReady(client));
  });
  afterAll(() => closeQuietly(client));
  beforeEach(() => {
    buses = [];
    channel = freshPrefix('bus');
  });
  afterEach(async () => {
    for (const made of buses) await made.onApplicationShutdown();
  });

  it('broadcasts to every other instance, addresses one, and never echoes to the sender', async () => {
    const [a, b, c] = [bus(), bus(), bus()];
    const heard = [listen(a), listen(b), listen(c)];
    await until('subscribed', () => buses.every((made) => made.connected));
    const ended: McpSessionBusMessage = { kind: 'ended', sessionId: 'session-1' };
    const reply: McpSessionBusMessage = {
      kind: 'reply',
      sessionId: 'session-1',
      message: { id: 'x:1', result: {} },
    };
    expect(await a.publish(ended)).toBe(true);
    expect(await a.publish(reply, c.instanceId)).toBe(true);
    await until('delivery', () => heard[1].length === 1 && heard[2].length === 2);
    expect(heard[0]).toEqual([]);
    expect(heard[1]).toEqual([ended]);
    expect(heard[2]).toEqual([ended, reply]);
  });

  it("keeps the order of one instance's messages", async () => {
    const [a, b] = [bus(), bus()];
    const heard = listen(b);
    await until('subscribed', () => a.connected && b.connected);
    const sent = Array.from({ length: 200 }, (_, n) => ({
      kind: 'ended' as const,
      sessionId: `s${n}`,
    }));
    await Promise.all(
      sent.map((message, n) => a.publish(message, n % 2 ? b.instanceId : undefined)),
    );
    await until('all of them', () => heard.length === sent.length);
    expect(heard).toEqual(sent);
  });

  it('holds one subscriber connection per instance, however many listeners', async () => {
    // The subscribers of earlier cases (closed by afterEach) leave Redis a moment later.
    await until(
      'no subscriber left',
      async () => (await namedConnections(topology.admin(), 'mcp-session-bus')) === 0,
    );
    const before = 0;
    const a = bus();
    for (let i = 0; i < 5; i++) listen(a);
    await until('subscribed', () => a.connected);
    expect(await namedConnections(topology.admin(), 'mcp-session-bus')).toBe(before + 1);
    await a.onApplicationShutdown();
    await until(
      'closed',
      async () => (await namedConnections(topology.admin(), 'mcp-session-bus')) === before,
    );
    expect(await send(client, 'PING')).toBe('PONG');
  });

  it('drops malformed messages, logging once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const a = bus();
      const heard = listen(a);
      await until('subscribed', () => a.connected);
      const admin = topology.admin();
      const publisher = admin instanceof Cluster ? admin.nodes('master')[0] : admin;
      for (const raw of ['nope', '{"o":"x","k":"other","s":"s"}', '{"o":"x","k":"ended","s":""}']) {
        await publisher.publish(channel, raw);
      }
      await publisher.publish(channel, JSON.stringify({ o: 'x', k: 'ended', s: 'fence' }));
      await until('the fence', () => heard.length === 1);
      expect(heard).toEqual([{ kind: 'ended', sessionId: 'fence' }]);
      expect(warn.mock.calls.filter(([m]) => String(m).includes('malformed'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('RedisSessionMessageBus on one node', () => {
  it('says false for an instance nobody listens for, and when Redis is down (logged once)', async () => {
    const node = await startRedisNode();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const bus = RedisSessionMessageBus.fromUrl(node.url, { publishTimeout: 200 });
    try {
      await until('subscribed', () => bus.connected);
      const reply: McpSessionBusMessage = { kind: 'reply', sessionId: 's', message: { id: 1 } };
      expect(await bus.publish(reply, 'nobody')).toBe(false);
      expect(await bus.publish({ kind: 'ended', sessionId: 's' })).toBe(true);
      await node.stop();
      expect(await bus.publish(reply, 'nobody')).toBe(false);
      expect(await bus.publish({ kind: 'ended', sessionId: 's' })).toBe(false);
      expect(warn.mock.calls.filter(([m]) => String(m).includes('not published'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
      await bus.onApplicationShutdown();
      await node.stop();
    }
  });

  it('closes the publisher fromUrl opened', async () => {
    const node = await startRedisNode();
    const bus = RedisSessionMessageBus.fromUrl(node.url);
    try {
      await until('subscribed', () => bus.connected);
      await bus.onApplicationShutdown();
      expect(bus.connected).toBe(false);
      expect(await bus.publish({ kind: 'ended', sessionId: 's' })).toBe(false);
    } finally {
      await node.stop();
    }
  });

  it.each(CLIENT_KINDS)('never closes a %s client passed in', async (kind) => {
    const node = await startRedisNode();
    const client = await singleNode(() => node, kind).connect();
    try {
      const given = new RedisSessionMessageBus(client);
      await until('subscribed', () => given.connected);
      await given.onApplicationShutdown();
      expect(await send(client, 'PING')).toBe('PONG');
      expect(await given.publish({ kind: 'ended', sessionId: 's' })).toBe(false);
    } finally {
      await closeQuietly(client);
      await node.stop();
    }
  });

  it('refuses options it cannot use', () => {
    expect(() => new RedisSessionMessageBus({} as never, { channel: '' })).toThrow(/channel/);
    expect(() => new RedisSessionMessageBus({} as never, { publishTimeout: 0 })).toThrow(
      /publishTimeout/,
    );
  });
});
