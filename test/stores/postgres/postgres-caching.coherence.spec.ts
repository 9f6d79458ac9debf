import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CachingSessionStore, MemorySessionStore, SessionRecord } from '../../../lib';
import { PostgresInvalidationChannel } from '../../../lib/stores/postgres/postgres-invalidation.channel';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import {
  startPostgresProxy,
  usePostgresSchema,
  type PostgresProxy,
} from '../../support/postgres-harness';
import { eventually } from '../../support/wait';

const schema = usePostgresSchema('coherence');
const VERSION = '2025-11-25';
const TTL = 30 * 60_000;

/** One application instance: its own pool, memory cache and channel; the shared table. */
interface Instance {
  store: CachingSessionStore;
  channel: PostgresInvalidationChannel;
}

describe('Two CachingSessionStores over one PostgreSQL table, kept coherent by LISTEN/NOTIFY', () => {
  let table: string;
  let channelName: string;
  let opened: Instance[];
  let proxy: PostgresProxy;

  beforeAll(async () => {
    table = schema.freshTable();
    await new PostgresSessionStore(schema.pool, { schema: schema.name, table }).migrate();
  });

  beforeEach(async () => {
    channelName = `coherence_${process.pid}_${randomBytes(4).toString('hex')}`;
    opened = [];
    proxy = await startPostgresProxy();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await Promise.all(opened.map(({ store }) => store.onApplicationShutdown()));
    await proxy.stop();
    jest.restoreAllMocks();
  });

  /**
   * An instance whose cached copies are trusted for a minute: within a test,
   * only an invalidation can make it see another instance's change.
   */
  async function instance(channelThroughProxy = false): Promise<Instance> {
    const backend = new PostgresSessionStore(schema.newPool(), {
      schema: schema.name,
      table,
      statementTimeout: 10_000,
    });
    const channelPool = channelThroughProxy
      ? schema.newPool({ connectionString: proxy.url })
      : schema.newPool();
    const channel = new PostgresInvalidationChannel(channelPool, {
      channel: channelName,
      heartbeatInterval: 1_000,
    });
    const store = new CachingSessionStore(new MemorySessionStore(), backend, {
      channel,
      cacheTtl: 60_000,
    });
    opened.push({ store, channel });
    await eventually('the channel to listen', async () => channel.connected);
    return { store, channel };
  }

  it("sees the other instance's deletes and saves through the channel, in both directions", async () => {
    const [a, b] = [await instance(), await instance()];
    for (const [writer, reader] of [
      [a, b],
      [b, a],
    ]) {
      const record = await writer.store.create(new SessionRecord('shared', VERSION, TTL));
      // The reader caches it (one backend touch), then serves it from memory.
      expect((await reader.store.touch(record.id, TTL))?.id).toBe(record.id);

      record.data = { step: 2 };
      await writer.store.save(record);
      // Polled with a margin of seconds; without the channel it would take cacheTtl (a minute).
      await eventually(
        'the save to reach the other instance',
        async () => (await reader.store.load(record.id))?.data?.step === 2,
        { timeoutMs: 5_000 },
      );

      await writer.store.delete(record.id);
      await eventually(
        'the delete to reach the other instance',
        async () => (await reader.store.touch(record.id, TTL)) === undefined,
        { timeoutMs: 5_000 },
      );
    }
  });

  it('empties its cache when its listener reconnects, so a delete missed meanwhile is not served', async () => {
    const a = await instance();
    const b = await instance(true);
    const record = await a.store.create(new SessionRecord('missed', VERSION, TTL));
    expect((await b.store.touch(record.id, TTL))?.id).toBe(record.id);

    // B's listener is cut off: A's invalidation cannot reach it.
    proxy.cut();
    await eventually('B to notice its listener is cut off', async () => !b.channel.connected);
    await a.store.delete(record.id);
    proxy.restore();
    await eventually('B to listen again', async () => b.channel.connected);

    expect(await b.store.touch(record.id, TTL)).toBeUndefined();
    expect(await b.store.load(record.id)).toBeUndefined();
  });

  it('bypasses its cache while its listener is down', async () => {
    const a = await instance();
    const b = await instance(true);
    const record = await a.store.create(new SessionRecord('bypassed', VERSION, TTL));
    expect((await b.store.touch(record.id, TTL))?.id).toBe(record.id);

    proxy.hang();
    await eventually('B to notice its listener is cut off', async () => !b.channel.connected);
    await a.store.delete(record.id);
    // Still disconnected: B asks the table, which no longer has the session.
    expect(await b.store.load(record.id)).toBeUndefined();
    proxy.restore();
  });
});
