import { randomUUID } from 'node:crypto';
import { RedisSessionStore, SessionRecord } from '../../../lib';
import { SLOT_MS } from '../../../lib/stores/redis/record.layout';
import { commandStats } from '../../support/redis-commandstats';
import { sleep } from '../../support/wait';
import {
  closeQuietly,
  freshPrefix,
  keysUnder,
  ofKinds,
  type RedisClient,
  send,
  useRedisNode,
} from './redis-test.helpers';

const servers = useRedisNode();
const admin = () => servers.admin();

/** A record like the ones the MCP SDK client's initialize produces. */
function typicalRecord(id: string): SessionRecord {
  const record = new SessionRecord(id, '2025-11-25', 30 * 60_000);
  record.clientInfo = { name: 'claude-code', version: '2.0.31' };
  record.clientCapabilities = { roots: { listChanged: true }, sampling: {}, elicitation: {} };
  return record;
}

/** Commands the server executed while `action` ran (INFO commandstats, Lua-inner calls included). */
async function commandsOf(action: () => Promise<unknown>): Promise<Record<string, number>> {
  await admin().config('RESETSTAT');
  await action();
  const counts: Record<string, number> = {};
  for (const [name, { calls }] of await commandStats(admin())) {
    if (!/^(info|config)/.test(name)) counts[name] = calls;
  }
  return counts;
}

// The commands are the pieces' own whatever the client: one ioredis and one
// node-redis kind (the adapter's raw commands) are enough here.
describe.each(ofKinds(servers.topologies, 'ioredis 5', 'node-redis 6'))(
  'RedisSessionStore cost ($name)',
  (topology) => {
    let client: RedisClient;
    beforeAll(async () => {
      client = await topology.connect();
      await send(client, 'PING');
    });
    afterAll(() => closeQuietly(client));

    const warmedStore = async (recordFormat: 2 | 3): Promise<RedisSessionStore> => {
      const store = new RedisSessionStore(client, {
        keyPrefix: freshPrefix('cost'),
        commandTimeout: 10_000, // commands are counted, not timed
        recordFormat,
      });
      // Load the scripts once, as a running server would have them.
      await store.create(typicalRecord('warm-up'));
      await store.touch('warm-up', 60_000);
      await store.touch('warm-up', 30 * 60_000);
      await store.save((await store.load('warm-up'))!);
      await store.delete('warm-up');
      await store.count();
      return store;
    };

    it('format 3: one round trip for load, touch (one GETEX), create, save and delete; two for update', async () => {
      const store = await warmedStore(3);
      // The touches below at 30 and 60 min must stay in their live-count slot
      // unless they are meant to cross: start clear of a slot's end.
      const into = (Date.now() + 30 * 60_000) % SLOT_MS;
      if (into > SLOT_MS - 10_000) await sleep(SLOT_MS - into + 100);
      expect(await commandsOf(() => store.create(typicalRecord('s1')))).toEqual({
        evalsha: 1,
        time: 1,
        set: 1,
        hincrby: 1,
      });
      expect(await commandsOf(() => store.load('s1'))).toEqual({ get: 1, pexpiretime: 1 });
      // The ttl the record was written with: the usual touch.
      expect(await commandsOf(() => store.touch('s1', 30 * 60_000))).toEqual({ getex: 1 });
      // Another ttl: the value's t is rewritten too, a second round trip.
      expect(await commandsOf(() => store.touch('s1', 60_000))).toEqual({
        getex: 1,
        evalsha: 1,
        get: 1,
        setrange: 1,
        pexpireat: 1,
      });
      // An expiry in a later live-count slot: the count moves, once.
      expect(await commandsOf(() => store.touch('s1', 60 * 60_000))).toEqual({
        getex: 1,
        evalsha: 1,
        get: 1,
        setrange: 2,
        pexpireat: 1,
        hincrby: 2,
        hdel: 1,
      });
      expect(await commandsOf(() => store.touch('s1', 60 * 60_000))).toEqual({ getex: 1 });
      expect(await commandsOf(() => store.touch('s1', 60_000))).toEqual({
        getex: 1,
        evalsha: 1,
        get: 1,
        setrange: 1,
        pexpireat: 1,
      });
      const loaded = (await store.load('s1'))!;
      // The write scripts: the deadline (TIME), the write lease and the stored revision (GET x2), the write,
      // the removal of an index entry a version 1 or 2 value would have had, the live count moved.
      expect(await commandsOf(() => store.save(loaded))).toEqual({
        evalsha: 1,
        time: 1,
        get: 2,
        set: 1,
        zrem: 1,
        hincrby: 2,
        hdel: 1,
      });
      expect(await commandsOf(() => store.update('s1', (r) => void (r.data = { n: 1 })))).toEqual({
        get: 3,
        pexpiretime: 1,
        evalsha: 1,
        time: 1,
        set: 1,
        zrem: 1,
        hincrby: 2,
        hdel: 1,
      });
      expect(await commandsOf(() => store.delete('s1'))).toEqual({
        evalsha: 1,
        time: 1,
        get: 1,
        del: 1,
        zrem: 1,
        hincrby: 1,
        hdel: 1,
      });
      expect(await commandsOf(() => store.count())).toEqual({
        evalsha: 16,
        zcount: 16,
        hgetall: 16,
      });
      expect(store.cleanupExpired).toBeUndefined();
      expect(await commandsOf(() => store.touch('missing', 60_000))).toEqual({ getex: 1 });
    });

    it('format 2: one script for touch; the index written with every write', async () => {
      const store = await warmedStore(2);
      expect(await commandsOf(() => store.create(typicalRecord('s1')))).toEqual({
        evalsha: 1,
        time: 1,
        set: 1,
        zadd: 1,
      });
      expect(await commandsOf(() => store.load('s1'))).toEqual({ get: 1, pexpiretime: 1 });
      expect(await commandsOf(() => store.touch('s1', 60_000))).toEqual({
        evalsha: 1,
        get: 1,
        setrange: 1,
        pexpireat: 1,
        zadd: 1,
      });
      const loaded = (await store.load('s1'))!;
      expect(await commandsOf(() => store.save(loaded))).toEqual({
        evalsha: 1,
        time: 1,
        get: 2,
        set: 1,
        zadd: 1,
      });
      expect(await commandsOf(() => store.delete('s1'))).toEqual({
        evalsha: 1,
        time: 1,
        get: 1,
        del: 1,
        zrem: 1,
      });
      expect(await commandsOf(() => store.count())).toEqual({
        evalsha: 16,
        zcount: 16,
        hgetall: 16,
      });
      expect(await commandsOf(() => store.cleanupExpired!())).toEqual({ zremrangebyscore: 16 });
      expect(await commandsOf(() => store.touch('missing', 60_000))).toEqual({
        evalsha: 1,
        get: 1,
      });
    });

    it.each([2, 3] as const)(
      'format %s: keeps a typical session under 512 bytes of Redis memory (record key + value + any index entry)',
      async (recordFormat) => {
        const keyPrefix = freshPrefix('mem');
        const store = new RedisSessionStore(client, {
          keyPrefix,
          commandTimeout: 10_000,
          recordFormat,
        });
        const total = 4_000; // ~250 per bucket: the index buckets use their large (skiplist) encoding
        for (let i = 0; i < total; i += 500) {
          await Promise.all(
            Array.from({ length: 500 }, () => store.create(typicalRecord(randomUUID()))),
          );
        }
        const keys = await keysUnder(admin(), keyPrefix);
        const indexes = keys.filter((key) => key.endsWith('#expiry'));
        const records = keys.filter((key) => key.includes('}:'));
        expect(records).toHaveLength(total);
        expect(indexes).toHaveLength(recordFormat === 2 ? 16 : 0);

        let indexBytes = 0;
        for (const index of indexes) {
          expect(await admin().object('ENCODING', index)).toBe('skiplist');
          indexBytes += (await admin().memory('USAGE', index, 'SAMPLES', 0)) ?? 0;
        }
        let recordBytes = 0;
        const sample = records.slice(0, 200);
        for (const key of sample) recordBytes += (await admin().memory('USAGE', key)) ?? 0;

        const perSession = recordBytes / sample.length + indexBytes / total;
        expect(perSession).toBeLessThan(512);
      },
    );
  },
);
