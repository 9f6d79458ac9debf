import { Logger } from '@nestjs/common';
import { type McpSessionModuleOptions, shortId } from '../../lib';
import { freshPrefix, useRedisServers } from '../stores/redis/redis-test.helpers';
import { eventually } from '../support/wait';
import {
  bootRouted,
  connectClient,
  result,
  type RoutedInstance,
  type SpecClient,
  Split,
} from './routing.apps';
import type { SdkLine } from './routing.fixture';
import {
  openSse,
  rawPost,
  rawSession,
  rawTool,
  sessionHeaders,
  type SseReader,
} from './routing.sse';

/** Seconds of margin: real pub/sub and real HTTP, never a timed assertion. */
const until = (what: string, check: () => boolean | Promise<boolean>) =>
  eventually(what, check, { timeoutMs: 10_000, everyMs: 20 });

/** The URIs of `notifications/resources/updated` events. */
const urisOf = (events: { data: string }[]) =>
  events.map((event) => (JSON.parse(event.data) as { params: { uri: string } }).params.uri);

/**
 * A 2025 session served by two instances on one Redis (single node and
 * cluster), with servers of SDK line `line`, for the official clients of
 * both lines: what the server sends reaches the client, and what the client
 * answers reaches the server, whichever instance each HTTP request lands on.
 */
export function routingCases(line: SdkLine): void {
  const redis = useRedisServers();
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(() => warn.mockRestore());
  const warned = (...parts: string[]) =>
    warn.mock.calls.some(([message]) => parts.every((part) => String(message).includes(part)));

  describe.each(redis.topologies)('on a Redis $name', (topology) => {
    let prefix: string;
    let a: RoutedInstance;
    let b: RoutedInstance;
    const instances: RoutedInstance[] = [];
    const clients: SpecClient[] = [];
    const readers: SseReader[] = [];
    const boot = async (options?: McpSessionModuleOptions) => {
      const instance = await bootRouted({ connect: topology.connect, prefix, line, options });
      instances.push(instance);
      return instance;
    };

    beforeEach(async () => {
      prefix = freshPrefix('routing');
      a = await boot();
      b = await boot();
    });
    afterEach(async () => {
      for (const reader of readers.splice(0)) reader.close();
      for (const client of clients.splice(0)) await client.client.close().catch(() => undefined);
      for (const instance of instances.splice(0)) await instance.close();
    });

    describe.each([1, 2] as const)('with the v%s client', (clientLine) => {
      const connect = async (split: Split) => {
        const client = await connectClient(clientLine, split.fetch);
        clients.push(client);
        return client;
      };

      it('answers sampling, elicitation and roots on the other instance', async () => {
        const split = new Split({
          requests: a.url,
          answers: b.url,
          streams: a.url,
          deletes: a.url,
        });
        const { client } = await connect(split);
        expect(result(await client.callTool({ name: 'sample' }))).toEqual({ sampled: 'Paris' });
        expect(result(await client.callTool({ name: 'elicit' }))).toEqual({
          action: 'accept',
          content: { name: 'Ada' },
        });
        expect(result(await client.callTool({ name: 'roots' }))).toEqual({
          roots: [{ uri: 'file:///spec', name: 'spec' }],
        });
        expect(split.log.filter((entry) => entry === `${b.url}:answers`)).toHaveLength(3);
      });

      it('delivers a notification sent on A to the GET stream on B', async () => {
        const split = new Split({
          requests: a.url,
          answers: a.url,
          streams: b.url,
          deletes: a.url,
        });
        const spec = await connect(split);
        // The client opens its GET stream on its own: notify until it is there.
        await until('an update on the stream', async () => {
          await spec.client.callTool({ name: 'notify' });
          return spec.updates.length > 0;
        });
        expect(split.log).toContain(`${b.url}:streams`);
      });

      it('sends a request on the GET stream held by B and gets the answer back on A', async () => {
        const split = new Split({
          requests: a.url,
          answers: b.url,
          streams: b.url,
          deletes: a.url,
        });
        const spec = await connect(split);
        // The client opens its GET stream on its own: ask once it is there.
        await until('the GET stream on B', async () => {
          await spec.client.callTool({ name: 'notify' });
          return spec.updates.length > 0;
        });
        expect(result(await spec.client.callTool({ name: 'roots_standalone' }))).toEqual({
          roots: [{ uri: 'file:///spec', name: 'spec' }],
        });
      });

      it('resumes a call stream on the other instance with Last-Event-ID', async () => {
        const split = new Split({
          requests: a.url,
          answers: a.url,
          streams: b.url,
          deletes: a.url,
        });
        const { client } = await connect(split);
        expect(result(await client.callTool({ name: 'reconnect' }))).toEqual({ finished: true });
        expect(split.log.filter((entry) => entry === `${b.url}:streams`).length).toBeGreaterThan(0);
      });

      it('keeps the log level and subscriptions across a hop and a restart', async () => {
        const split = new Split({
          requests: b.url,
          answers: b.url,
          streams: a.url,
          deletes: a.url,
        });
        const { client } = await connect(split);
        // B's server exists before the changes: it must catch up.
        expect(result(await client.callTool({ name: 'levels' }))).toEqual({
          levels: ['debug', 'info', 'notice', 'warning', 'error'],
        });
        split.targets.requests = a.url;
        await client.setLoggingLevel('warning');
        await client.subscribeResource({ uri: 'test://watched/a' });
        await client.subscribeResource({ uri: 'test://watched/b' });
        split.targets.requests = b.url;
        expect(result(await client.callTool({ name: 'levels' }))).toEqual({
          levels: ['warning', 'error'],
        });
        expect(result(await client.callTool({ name: 'subscriptions' }))).toEqual({
          uris: ['test://watched/a', 'test://watched/b'],
        });

        await a.close();
        await b.close();
        const c = await boot();
        split.targets = { requests: c.url, answers: c.url, streams: c.url, deletes: c.url };
        expect(result(await client.callTool({ name: 'levels' }))).toEqual({
          levels: ['warning', 'error'],
        });
        expect(result(await client.callTool({ name: 'subscriptions' }))).toEqual({
          uris: ['test://watched/a', 'test://watched/b'],
        });
      });
    });

    it('resumes the standalone stream on the other instance: every missed message, in order, once', async () => {
      const id = await rawSession(a.url);
      const get = (url: string, extra: Record<string, string> = {}) =>
        openSse(`${url}/mcp`, sessionHeaders(id, extra));
      const onB = await get(b.url);
      readers.push(onB);
      const first = [await rawTool(a.url, id, 'notify', 2), await rawTool(a.url, id, 'notify', 3)];
      const sent = first.map((answer) => /test:\/\/watched\/\d+/.exec(answer.text)![0]);
      const live = [await onB.next(), await onB.next()];
      expect(urisOf(live as { data: string }[])).toEqual(sent);
      onB.close();

      for (let i = 0; i < 3; i++) {
        const answer = await rawTool(a.url, id, 'notify', 10 + i);
        sent.push(/test:\/\/watched\/\d+/.exec(answer.text)![0]);
      }
      const onA = await get(a.url, { 'last-event-id': live[1]!.id! });
      readers.push(onA);
      const resumed = [await onA.next(), await onA.next(), await onA.next()];
      expect(urisOf(resumed as { data: string }[])).toEqual(sent.slice(2));
      // The resumed stream is the standalone stream now: another instance's
      // updates reach it (a third one: B may not have seen its stream go yet).
      const c = await boot();
      const later = await rawTool(c.url, id, 'notify', 20);
      const next = await onA.next();
      expect(urisOf([next!])).toEqual([/test:\/\/watched\/\d+/.exec(later.text)![0]]);
      const ids = [...live, ...resumed, next].map((event) => event!.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('closes the GET stream on A within a second when B ends the session', async () => {
      const id = await rawSession(a.url);
      const onA = await openSse(`${a.url}/mcp`, sessionHeaders(id));
      readers.push(onA);
      expect(a.transports.size).toBe(1);
      const deleted = await fetch(`${b.url}/mcp`, {
        method: 'DELETE',
        headers: sessionHeaders(id),
      });
      expect(deleted.status).toBe(200);
      expect(await onA.next()).toBeUndefined();
      await until('A to drop the transport', () => a.transports.size === 0);
    });

    it('closes the streams and transports of every instance once the session expires', async () => {
      const x = await boot({ ttl: 1_000 });
      const y = await boot({ ttl: 1_000 });
      const id = await rawSession(x.url);
      const onY = await openSse(`${y.url}/mcp`, sessionHeaders(id));
      readers.push(onY);
      expect([x.transports.size, y.transports.size]).toEqual([1, 1]);
      // No request extends it: the store drops it, and each instance notices.
      expect(await onY.next()).toBeUndefined();
      await until('both transports closed', () => x.transports.size + y.transports.size === 0);
      expect((await rawTool(y.url, id, 'notify', 2)).status).toBe(404);
    });

    it('drops an answer nobody waits for, with a WARN naming the session and the request', async () => {
      const id = await rawSession(a.url);
      const stray = `${a.bus.instanceId}:987654321`;
      const answer = await rawPost(b.url, id, { jsonrpc: '2.0', id: stray, result: {} });
      expect(answer.status).toBe(202);
      await until('the WARN on A', () => warned(shortId(id), stray));
      expect(warned(id)).toBe(false);
    });
  });
}
