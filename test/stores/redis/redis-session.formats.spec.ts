import { InvalidOptionError, RedisSessionStore, SessionRecord } from '../../../lib';
import { SLOT_MS } from '../../../lib/stores/redis/record.layout';
import { RedisKeys } from '../../../lib/stores/redis/redis-keys';
import {
  type AdminClient,
  closeQuietly,
  freshPrefix,
  ofKinds,
  type RedisClient,
  useRedisMatrix,
} from './redis-test.helpers';

/*
 * A rolling upgrade: instances writing format 2 (values of versions 1 and 2,
 * with an expiry index) and format 3 (no index, touch by GETEX) share one
 * keyspace. Every instance serves every value, in both directions, with the
 * same times, data and revisions, and nothing deleted comes back.
 */

const servers = useRedisMatrix();
const VERSION = '2025-11-25';
const TTL = 600_000;
const pad = (n: number) => String(n).padEnd(13, ' ');

describe.each(ofKinds(servers.topologies, 'ioredis 5', 'node-redis 6'))(
  'RedisSessionStore formats 2 and 3 side by side on a $name',
  (topology) => {
    let clients: RedisClient[];
    let prefix: string;
    let keys: RedisKeys;
    const admin = (): AdminClient => topology.admin();
    const instance = async (recordFormat: 2 | 3) => {
      const client = await topology.connect();
      clients.push(client);
      return new RedisSessionStore(client, {
        keyPrefix: prefix,
        commandTimeout: 10_000,
        recordFormat,
      });
    };
    const rawOf = (id: string) => admin().get(keys.record(id)) as Promise<string>;
    const indexed = async (id: string) => (await admin().zscore(keys.indexOf(id), id)) !== null;
    const times = (record: SessionRecord | undefined) => ({
      lastAccessed: record?.lastAccessed.getTime(),
      expiresAt: record?.expiresAt.getTime(),
    });

    beforeEach(() => {
      clients = [];
      prefix = freshPrefix('formats');
      keys = new RedisKeys(prefix, 16);
    });

    afterEach(async () => {
      await Promise.all(clients.map(closeQuietly));
    });

    it('hands one session back and forth: each instance reads, touches and updates what the other wrote', async () => {
      const [old, next] = await Promise.all([instance(2), instance(3)]);
      const created = await old.create(new SessionRecord('s', VERSION, TTL));
      expect(await rawOf('s')).toMatch(/^\{"v":1,"a":/);

      // Format 3 serves a version 1 value: times kept, touched in place (the index entry too).
      expect(times(await next.load('s'))).toEqual(times(created));
      const touchedByNext = (await next.touch('s', TTL))!;
      expect(await rawOf('s')).toMatch(/^\{"v":1,"a":/);
      expect(times(await old.load('s'))).toEqual(times(touchedByNext));
      expect(await admin().zscore(keys.indexOf('s'), 's')).toBe(
        String(touchedByNext.expiresAt.getTime()),
      );

      // Its update writes version 3 and drops the index entry.
      const updated = (await next.update('s', (r) => void (r.data = { n: 1 })))!;
      expect(updated.revision).toBe(2);
      expect(await rawOf('s')).toMatch(/^\{"v":3,"t":/);
      expect(await indexed('s')).toBe(false);

      // Format 2 serves a version 3 value: same record, touched by GETEX, updated back to version 2.
      expect(await old.load('s')).toEqual(await next.load('s'));
      const touchedByOld = (await old.touch('s', TTL))!;
      expect(times(await next.load('s'))).toEqual(times(touchedByOld));
      const back = (await old.update('s', (r) => void (r.data = { n: Number(r.data?.n) + 1 })))!;
      expect(back).toMatchObject({ revision: 3, data: { n: 2 } });
      expect(await rawOf('s')).toMatch(/^\{"v":2,"a":\d+ *,"e":\d+ *,"r":3,/);
      expect(await indexed('s')).toBe(true);
      expect(await next.load('s')).toMatchObject({ revision: 3, data: { n: 2 } });

      // A copy read before is stale on both sides.
      updated.data = { n: 100 };
      await expect(old.save(updated)).rejects.toMatchObject({ kind: 'conflict' });
      await expect(next.save(updated)).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('keeps exact times across instances when a touch changes the ttl of a version 3 value', async () => {
      const [old, next] = await Promise.all([instance(2), instance(3)]);
      await next.create(new SessionRecord('t', VERSION, TTL));
      const shorter = (await next.touch('t', 60_000))!;
      expect(JSON.parse(await rawOf('t')).t).toBe(60_000);
      expect(times(await old.load('t'))).toEqual(times(shorter));
      const longer = (await old.touch('t', 2 * TTL))!;
      expect(times(await next.load('t'))).toEqual(times(longer));
      expect(await admin().pexpiretime(keys.record('t'))).toBe(longer.expiresAt.getTime());
    });

    it('never brings back a session the other instance deleted', async () => {
      const [old, next] = await Promise.all([instance(2), instance(3)]);
      for (const [writer, deleter] of [
        [old, next],
        [next, old],
      ] as const) {
        const id = (await writer.create(new SessionRecord(`gone-${writer === old}`, VERSION, TTL)))
          .id;
        await deleter.delete(id);
        for (const store of [old, next]) {
          expect(await store.touch(id, TTL)).toBeUndefined();
          expect(await store.load(id)).toBeUndefined();
          expect(await store.update(id, () => undefined)).toBeUndefined();
        }
        expect(await admin().exists(keys.record(id))).toBe(0);
        expect(await indexed(id)).toBe(false);
      }
    });

    it('ends 2 + 2 instances of both formats x 25 concurrent increments at exactly 100', async () => {
      const stores = await Promise.all([instance(2), instance(3), instance(2), instance(3)]);
      await stores[0].create(new SessionRecord('hot', VERSION, TTL));
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          stores[i % 4].update('hot', (r) => {
            r.data = { n: Number(r.data?.n ?? 0) + 1 };
          }),
        ),
      );
      const counts = results.map((r) => r?.data?.n as number).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(await stores[1].load('hot')).toMatchObject({ revision: 101, data: { n: 100 } });
    });

    it('counts both formats the same from either instance, from the index and the live-count slots', async () => {
      const [old, next] = await Promise.all([instance(2), instance(3)]);
      await old.create(new SessionRecord('a', VERSION, TTL));
      await next.create(new SessionRecord('b', VERSION, TTL));
      await next.create(new SessionRecord('c', VERSION, TTL));
      // Keys under the prefix that are not records: a quarantined value, a write lease.
      await admin().set(`${prefix}{3}!quarantined`, 'x', 'PX', TTL);
      await admin().set(keys.lease('z'), 'token', 'PX', TTL);
      expect(await next.count()).toBe(3);
      expect(await old.count()).toBe(3);
      // Rewritten by the other format: still counted once.
      await next.update('a', () => undefined);
      await old.update('b', () => undefined);
      expect(await next.count()).toBe(3);
      await old.delete('c');
      await next.delete('b');
      expect(await old.count()).toBe(1);
      expect(await next.count()).toBe(1);
    });

    it('moves a version 3 record to a later live-count slot only when its expiry crosses into one; drops ended slots', async () => {
      const next = await instance(3);
      const created = await next.create(new SessionRecord('m', VERSION, TTL));
      const live = keys.live(keys.bucketOf('m'));
      const slotOf = (ms: number) => String(Math.ceil(ms / SLOT_MS) * SLOT_MS);
      expect(await admin().hgetall(live)).toEqual({ [slotOf(created.expiresAt.getTime())]: '1' });
      // Three slots later: the count moves with the record, in the value too.
      const touched = (await next.touch('m', TTL + 3 * SLOT_MS))!;
      const moved = slotOf(touched.expiresAt.getTime());
      expect(await admin().hgetall(live)).toEqual({ [moved]: '1' });
      expect(JSON.parse(await rawOf('m')).s).toBe(Number(moved));
      // A shorter ttl again: the record stays counted in the later slot (a count never drops a live one).
      await next.touch('m', TTL);
      expect(await admin().hgetall(live)).toEqual({ [moved]: '1' });
      // A slot that ended holds only expired records: count drops it.
      await admin().hset(live, slotOf(Date.now() - 2 * SLOT_MS), '5');
      expect(await next.count()).toBe(1);
      expect(await admin().hgetall(live)).toEqual({ [moved]: '1' });
      await next.delete('m');
      expect(await admin().exists(live)).toBe(0);
    });

    it('moves a version 3 value that lost its key expiry aside: it would never expire', async () => {
      const next = await instance(3);
      await next.create(new SessionRecord('immortal', VERSION, TTL));
      await admin().persist(keys.record('immortal'));
      expect(await next.load('immortal')).toBeUndefined();
      expect(await admin().exists(keys.record('immortal'))).toBe(0);
      expect(await admin().exists(`${prefix}{${keys.bucketOf('immortal')}}!immortal`)).toBe(1);
      // Moved aside, it is no longer counted.
      expect(await next.count()).toBe(0);
    });

    it('serves a version 1 value written by an earlier release to a format 3 instance', async () => {
      const next = await instance(3);
      const now = Date.now();
      const expires = now + TTL;
      const raw = `{"v":1,"a":${pad(now)},"e":${pad(expires)},"c":${now},"p":"${VERSION}","d":{"k":1}}`;
      await admin().set(keys.record('v1'), raw, 'PXAT', expires);
      await admin().zadd(keys.indexOf('v1'), expires, 'v1');
      expect(await next.load('v1')).toMatchObject({ revision: 1, data: { k: 1 } });
      expect(times(await next.load('v1'))).toEqual({ lastAccessed: now, expiresAt: expires });
      expect((await next.touch('v1', TTL))?.revision).toBe(1);
      expect(await next.count()).toBe(1);
      await next.delete('v1');
      expect(await next.count()).toBe(0);
      expect(await indexed('v1')).toBe(false);
    });
  },
);

it('refuses a recordFormat other than 2 or 3, naming the option', () => {
  expect(() => RedisSessionStore.fromUrl('redis://127.0.0.1:1', { recordFormat: 1 as 2 })).toThrow(
    InvalidOptionError,
  );
  expect(() => RedisSessionStore.fromUrl('redis://127.0.0.1:1', { recordFormat: 4 as 3 })).toThrow(
    /recordFormat/,
  );
});
