import {
  InvalidOptionError,
  RedisSessionStore,
  SessionRecord,
  SessionStoreError,
} from '../../../lib';
import { encodeRecord } from '../../../lib/stores/redis/record.codec';
import { RedisKeys } from '../../../lib/stores/redis/redis-keys';
import {
  type AdminClient,
  closeQuietly,
  freshPrefix,
  keysUnder,
  logCommands,
  type RedisClient,
  send,
  useRedisMatrix,
} from './redis-test.helpers';

const servers = useRedisMatrix();
const VERSION = '2025-11-25';
const pad = (n: number) => String(n).padEnd(13, ' ');

describe.each(servers.topologies)('RedisSessionStore revisions on a $name', (topology) => {
  let clients: RedisClient[];
  let prefix: string;
  /** One application instance: its own connection, the shared keys. */
  const instance = async (options: { maxRecordBytes?: number; recordFormat?: 2 | 3 } = {}) => {
    const client = await topology.connect();
    clients.push(client);
    return new RedisSessionStore(client, { keyPrefix: prefix, commandTimeout: 10_000, ...options });
  };

  beforeEach(() => {
    clients = [];
    prefix = freshPrefix('revisions');
  });

  afterEach(async () => {
    await Promise.all(clients.map(closeQuietly));
  });

  /** A value as the previous version (format 1) writes it, with its index entry. */
  async function writeVersion1(client: AdminClient, id: string, data: object): Promise<void> {
    const now = Date.now();
    const expires = now + 600_000;
    const raw = `{"v":1,"a":${pad(now)},"e":${pad(expires)},"c":${now},"p":"${VERSION}","d":${JSON.stringify(data)}}`;
    const [record, index] = new RedisKeys(prefix, 16).recordAndIndex(id);
    await client.set(record, raw, 'PXAT', expires);
    await client.zadd(index, expires, id);
  }

  const rawOf = (client: AdminClient, id: string) =>
    client.get(new RedisKeys(prefix, 16).record(id)) as Promise<string>;

  it('format 2: serves a version 1 value (rolling deploy): revision 1, touched in place, rewritten as version 2 by the next write', async () => {
    const store = await instance({ recordFormat: 2 });
    await writeVersion1(topology.admin(), 'old', { count: 5 });

    const loaded = (await store.load('old'))!;
    expect(loaded.revision).toBe(1);
    expect(loaded.data).toEqual({ count: 5 });
    const touched = (await store.touch('old', 600_000))!;
    expect(touched.revision).toBe(1);
    expect(await rawOf(topology.admin(), 'old')).toMatch(/^\{"v":1,"a":/);

    const updated = await store.update('old', (r) => void (r.data = { count: 6 }));
    expect(updated?.revision).toBe(2);
    const raw = await rawOf(topology.admin(), 'old');
    expect(raw).toMatch(/^\{"v":2,"a":\d+ *,"e":\d+ *,"r":2,"c":/);
    expect(JSON.parse(raw).d).toEqual({ count: 6 });

    // The copy loaded at version 1 is stale now.
    loaded.data = { count: 100 };
    await expect(store.save(loaded)).rejects.toMatchObject({ kind: 'conflict' });
    expect((await store.load('old'))?.data).toEqual({ count: 6 });
  });

  it('format 3: writes a created record in version 3 at revision 1, a saved one at revision 2', async () => {
    const store = await instance();
    const record = await store.create(new SessionRecord('fresh', VERSION, 60_000));
    expect(await rawOf(topology.admin(), 'fresh')).toMatch(
      /^\{"v":3,"t":60000 *,"s":\d+ *,"r":1,"c":\d+,"p":/,
    );
    record.data = { saved: true };
    await store.save(record);
    expect(await rawOf(topology.admin(), 'fresh')).toMatch(
      /^\{"v":3,"t":60000 *,"s":\d+ *,"r":2,"c":/,
    );
    expect(await store.load('fresh')).toMatchObject({ revision: 2, data: { saved: true } });
  });

  it('format 2: writes a created record in version 1 (earlier versions read it), a saved one in version 2', async () => {
    const store = await instance({ recordFormat: 2 });
    const record = await store.create(new SessionRecord('fresh', VERSION, 60_000));
    expect(await rawOf(topology.admin(), 'fresh')).toMatch(
      /^\{"v":1,"a":\d+ *,"e":\d+ *,"c":\d+,"p":/,
    );
    record.data = { saved: true };
    await store.save(record);
    expect(await rawOf(topology.admin(), 'fresh')).toMatch(
      /^\{"v":2,"a":\d+ *,"e":\d+ *,"r":2,"c":/,
    );
    expect(await store.load('fresh')).toMatchObject({ revision: 2, data: { saved: true } });
  });

  it('ends 4 instances x 25 concurrent increments of a version 1 value at exactly 100', async () => {
    const stores = await Promise.all([instance(), instance(), instance(), instance()]);
    await writeVersion1(topology.admin(), 'contended', { count: 0 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stores[i % 4].update('contended', (r) => {
          r.data = { count: Number(r.data?.count) + 1 };
        }),
      ),
    );
    const counts = results.map((r) => r?.data?.count as number).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await stores[1].load('contended'))?.data).toEqual({ count: 100 });
    expect((await stores[2].load('contended'))?.revision).toBe(101);
  });

  it('retries a lost update on the record its conflict brought back: no second read, no pause', async () => {
    const store = await instance();
    const client = clients[0];
    await store.create(new SessionRecord('raced', VERSION, 600_000));
    const key = new RedisKeys(prefix, 16).record('raced');
    const sent = logCommands(client);
    const seen: unknown[] = [];
    const updated = await store.update('raced', (r) => {
      seen.push(r.data?.n);
      if (seen.length > 1) return void (r.data = { n: Number(r.data?.n) + 1 });
      // Another instance's write at revision 2, on this connection: it reaches
      // Redis before this update's compare-and-set, which then loses.
      const winner = new SessionRecord('raced', VERSION, 600_000);
      winner.data = { n: 100 };
      void send(
        client,
        'SET',
        key,
        encodeRecord(winner, 2, 65_536, 3),
        'PXAT',
        winner.expiresAt.getTime(),
      );
      r.data = { n: 1 };
    });
    expect(seen).toEqual([undefined, 100]);
    expect(sent.named('get')).toHaveLength(1);
    sent.restore();
    expect(updated).toMatchObject({ revision: 3, data: { n: 101 } });
    expect(await store.load('raced')).toMatchObject({ revision: 3, data: { n: 101 } });
  });

  it('after two lost writes, takes the write lease and wins; the lease is gone after', async () => {
    const store = await instance();
    const client = clients[0];
    await store.create(new SessionRecord('hot', VERSION, 600_000));
    const keys = new RedisKeys(prefix, 16);
    const sent = logCommands(client);
    const seen: unknown[] = [];
    const updated = await store.update('hot', (r) => {
      seen.push(r.data?.n);
      if (seen.length > 2) return void (r.data = { n: Number(r.data?.n) + 1 });
      // Two other writes win, each reaching Redis just before this update's.
      const winner = new SessionRecord('hot', VERSION, 600_000);
      winner.data = { n: seen.length * 100 };
      const value = encodeRecord(winner, seen.length + 1, 65_536, 3);
      void send(client, 'SET', keys.record('hot'), value, 'PXAT', winner.expiresAt.getTime());
    });
    expect(seen).toEqual([undefined, 100, 200]);
    expect(updated).toMatchObject({ revision: 4, data: { n: 201 } });
    const leaseKey = keys.lease('hot');
    expect(sent.named('evalsha').some((call) => call.includes(leaseKey))).toBe(true);
    sent.restore();
    expect(await keysUnder(topology.admin(), prefix)).not.toContain(leaseKey);
  });

  it('refuses every other write while a write lease is held, and serves again once it is gone', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const client = topology.admin();
    const record = await a.create(new SessionRecord('leased', VERSION, 600_000));
    const leaseKey = new RedisKeys(prefix, 16).lease('leased');
    await client.set(leaseKey, 'held-elsewhere', 'PX', 60_000);

    record.data = { n: 1 };
    await expect(b.save(record)).rejects.toMatchObject({ kind: 'conflict' });
    const increment = (r: SessionRecord) => void (r.data = { n: Number(r.data?.n ?? 0) + 1 });
    await expect(a.update('leased', increment, { retries: 3 })).rejects.toMatchObject({
      kind: 'conflict',
    });
    expect(await client.get(leaseKey)).toBe('held-elsewhere');
    expect(await b.load('leased')).toMatchObject({ revision: 1 });

    await client.del(leaseKey);
    expect(await a.update('leased', increment)).toMatchObject({ revision: 2, data: { n: 1 } });
  });

  it('never lets an update revive a record another instance deleted', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    for (let round = 0; round < 50; round++) {
      const id = `gone-${round}`;
      await a.create(new SessionRecord(id, VERSION, 60_000));
      await Promise.all([a.update(id, (r) => void (r.data = { round })), b.delete(id)]);
      expect(await a.load(id)).toBeUndefined();
    }
    expect(await a.count()).toBe(0);
    expect(await keysUnder(topology.admin(), prefix)).toEqual([]);
  });

  it('refuses a record past maxRecordBytes with kind encode naming the limit, storing nothing', async () => {
    const store = await instance({ maxRecordBytes: 2048 });
    const big = new SessionRecord('big', VERSION, 60_000);
    big.clientInfo = { name: 'x'.repeat(3000), version: '1' };
    const error = (await store.create(big).catch((e: unknown) => e)) as SessionStoreError;
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error.kind).toBe('encode');
    expect(error.message).toMatch(/more than maxRecordBytes \(2048\)/);
    expect(await keysUnder(topology.admin(), prefix)).toEqual([]);

    // The default (64 KiB) refuses a 90 KB clientInfo.
    const defaults = await instance();
    big.clientInfo = { name: 'x'.repeat(90_000), version: '1' };
    await expect(defaults.create(big)).rejects.toMatchObject({ kind: 'encode' });
    expect(await keysUnder(topology.admin(), prefix)).toEqual([]);
  });
});

describe('RedisSessionStore option maxRecordBytes', () => {
  it.each([0, 1023, 1.5, '64k', -1, NaN])('refuses %p', (value) => {
    const client = {} as never;
    expect(() => new RedisSessionStore(client, { maxRecordBytes: value as number })).toThrow(
      InvalidOptionError,
    );
  });

  it('accepts Infinity (no limit)', () => {
    expect(() => new RedisSessionStore({} as never, { maxRecordBytes: Infinity })).not.toThrow();
  });
});
