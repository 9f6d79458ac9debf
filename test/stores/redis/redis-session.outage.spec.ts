import Redis from 'ioredis';
import { RedisSessionStore, SessionRecord, SessionStoreError } from '../../../lib';
import { startRedisNode, type RedisNode } from '../../support/redis-harness';
import { eventually, sleep } from '../../support/wait';
import {
  CLIENT_KINDS,
  type ClientKind,
  closeQuietly,
  freshPrefix,
  type RedisClient,
  send,
  singleNode,
} from './redis-test.helpers';

const record = (id: string) => new SessionRecord(id, '2025-11-25', 60_000);

/** Every store call, each expected to reject while Redis is unreachable. */
function everyCall(store: RedisSessionStore): [string, () => Promise<unknown>][] {
  return [
    ['create', () => store.create(record('new-during-outage'))],
    ['save', () => store.save(record('saved-during-outage'))],
    ['load', () => store.load('kept-session-id')],
    ['delete', () => store.delete('kept-session-id')],
    ['touch', () => store.touch('kept-session-id', 60_000)],
    ['count', () => store.count()],
    ['update', () => store.update('kept-session-id', () => undefined)],
    ...(store.cleanupExpired
      ? [['cleanupExpired', store.cleanupExpired] as [string, () => Promise<unknown>]]
      : []),
  ];
}

async function expectAllBackendErrors(store: RedisSessionStore): Promise<SessionStoreError[]> {
  const calls = everyCall(store);
  const results = await Promise.allSettled(calls.map(([, call]) => call()));
  return results.map((result, i) => {
    expect({ call: calls[i][0], status: result.status }).toEqual({
      call: calls[i][0],
      status: 'rejected',
    });
    const reason = (result as PromiseRejectedResult).reason as SessionStoreError;
    expect(reason).toBeInstanceOf(SessionStoreError);
    expect(reason.kind).toBe('backend');
    return reason;
  });
}

/**
 * The bound under test, with margins of seconds both ways on a busy machine:
 * a call while Redis answers never reaches it, and every call made during a
 * pause (`PAUSE_MS`) does.
 */
const COMMAND_TIMEOUT_MS = 2_000;
const PAUSE_MS = 6_000;

type Variant = [
  string,
  (node: RedisNode) => Promise<{ store: RedisSessionStore; close(): Promise<void> }>,
];

/** A client of `kind` as a user passes it in, with its library's defaults. */
const userClient = (node: RedisNode, kind: ClientKind) => singleNode(() => node, kind).connect();

const variants: Variant[] = [
  // The client's own defaults, as most users leave them: offline queue on
  // (ioredis fails a queued command after 20 reconnection attempts, node-redis
  // 5 keeps it until the connection is back, node-redis 6 for 5 s at most),
  // ioredis's and node-redis's reconnect delays. The store fails a call at
  // once while its client is not ready (node-redis: `isReady` false) and
  // bounds the others by commandTimeout, so the queue never holds its calls.
  ...CLIENT_KINDS.map((kind): Variant => [
    `a ${kind} client the user passed in (its defaults)`,
    async (node) => {
      const client = await userClient(node, kind);
      const store = new RedisSessionStore(client, {
        keyPrefix: freshPrefix('outage'),
        commandTimeout: COMMAND_TIMEOUT_MS,
      });
      return { store, close: () => closeQuietly(client) };
    },
  ]),
  [
    'a connection the store opened with fromUrl',
    async (node) => {
      const store = RedisSessionStore.fromUrl(node.url, {
        keyPrefix: freshPrefix('outage'),
        commandTimeout: COMMAND_TIMEOUT_MS,
        recordFormat: 2, // with an expiry index: cleanupExpired is offered
      });
      return { store, close: () => store.onApplicationShutdown() };
    },
  ],
];

describe.each(variants)('RedisSessionStore outages with %s', (_, open) => {
  let node: RedisNode;
  let subject: Awaited<ReturnType<Variant[1]>>;

  beforeEach(async () => {
    node = await startRedisNode();
    subject = await open(node);
  });

  afterEach(async () => {
    await subject.close();
    await node.stop();
  });

  it('rejects every call with kind backend while Redis is down, then serves again on restart', async () => {
    const { store } = subject;
    await store.create(record('kept-session-id'));
    expect(await store.count()).toBe(1);

    await node.stop();
    await expectAllBackendErrors(store);

    await node.start();
    await eventually('the store to answer again', () => store.count().then(() => true), {
      timeoutMs: 20_000,
      everyMs: 100,
    });
    await store.create(record('after-restart'));
    expect((await store.touch('after-restart', 60_000))?.id).toBe('after-restart');
    expect((await store.load('after-restart'))?.id).toBe('after-restart');
    expect(await store.count()).toBeGreaterThanOrEqual(1);
  });

  it('bounds calls to a Redis that accepts connections but does not answer', async () => {
    const { store } = subject;
    await store.create(record('kept-session-id'));
    const pauser = new Redis(node.port, '127.0.0.1');
    // Every call below starts within the pause and gives up seconds before it ends.
    await pauser.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    pauser.disconnect();

    const errors = await expectAllBackendErrors(store);
    expect(errors.some((error) => /commandTimeout/.test(error.message))).toBe(true);

    await eventually('the store to answer again', () => store.count().then(() => true), {
      timeoutMs: 20_000,
      everyMs: 100,
    });
    await store.save(record('after-pause'));
    expect((await store.load('after-pause'))?.id).toBe('after-pause');
  });
});

describe.each(CLIENT_KINDS)(
  'RedisSessionStore on %s during a hang (DEBUG SLEEP on another connection)',
  (kind) => {
    let node: RedisNode;
    let client: RedisClient;
    let admin: Redis;

    beforeAll(async () => {
      node = await startRedisNode(['--enable-debug-command', 'yes']);
      client = await userClient(node, kind);
      admin = new Redis(node.port, '127.0.0.1');
      await Promise.all([send(client, 'PING'), admin.ping()]);
    });

    afterAll(async () => {
      await closeQuietly(client);
      await closeQuietly(admin);
      await node?.stop();
    });

    it('never applies a write whose caller was told it failed, when Redis wakes', async () => {
      const store = new RedisSessionStore(client, {
        keyPrefix: freshPrefix('hang'),
        commandTimeout: 500,
      });
      const ids = Array.from({ length: 50 }, (_, i) => `counter-${i}`);
      for (const id of [...ids, 'doomed', 'updated']) await store.create(record(id));
      const copies = await Promise.all(ids.map(async (id) => (await store.load(id))!));

      const hang = admin.call('DEBUG', 'SLEEP', '5');
      // A margin of seconds: Redis is asleep before any write below is sent.
      await sleep(1_000);
      const calls: Promise<unknown>[] = [
        ...copies.map((copy) => {
          copy.data = { count: 1 };
          return store.save(copy);
        }),
        store.create(record('born-during-hang')),
        store.delete('doomed'),
        store.update('updated', (r) => void (r.data = { count: 1 })),
      ];
      const outcomes = await Promise.allSettled(calls);
      await hang;
      // Queued on the store's connection before this PING: run by now.
      await send(client, 'PING');

      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason as SessionStoreError;
        expect(reason).toMatchObject({ kind: 'backend' });
        expect(reason.message).toMatch(/commandTimeout/);
      }
      for (const id of [...ids, 'updated']) {
        const stored = await store.load(id);
        expect({ id, data: stored?.data, revision: stored?.revision }).toEqual({
          id,
          data: undefined,
          revision: 1,
        });
      }
      expect(await store.load('born-during-hang')).toBeUndefined();
      expect((await store.load('doomed'))?.id).toBe('doomed');
    }, 30_000);
  },
);
