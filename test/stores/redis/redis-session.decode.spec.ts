import { Logger } from '@nestjs/common';
import { RedisSessionStore, SessionRecord, SessionStoreError, shortId } from '../../../lib';
import { RedisKeys } from '../../../lib/stores/redis/redis-keys';
import {
  type AdminClient,
  closeQuietly,
  freshPrefix,
  type RedisClient,
  useRedisNode,
} from './redis-test.helpers';

const servers = useRedisNode();

const ID = 'corrupt-0123456789abcdef';
const DAY = 24 * 60 * 60_000;
const future = Date.now() + 600_000;
const pad = (n: number) => String(n).padEnd(13, ' ');
const head = `{"v":1,"a":${pad(Date.now())},"e":${pad(future)},"c":${Date.now()}`;
const head2 = `{"v":2,"a":${pad(Date.now())},"e":${pad(future)},"r":3,"c":${Date.now()}`;

/** Stored values that are not a record this version can read; `true`: in the fixed layout. */
const corrupt: [string, string, boolean][] = [
  ['not JSON', 'definitely not json', false],
  ['empty string', '', false],
  ['truncated JSON', `${head},"p":"2025-11-25"`, true],
  ['JSON null', 'null', false],
  ['a JSON number', '42', false],
  ['a JSON array', '[1,2,3]', false],
  ['a JSON string', '"hello"', false],
  ['no version', `{"a":1,"e":${future},"c":1,"p":"x"}`, false],
  ['an unknown version', `{"v":4,"a":1,"e":${future},"c":1,"p":"x"}`, false],
  ['version 3 with the fields of version 1', `{"v":3,"a":1,"e":${future},"c":1,"p":"x"}`, false],
  ['version as a string', `{"v":"1","a":1,"e":${future},"c":1,"p":"x"}`, false],
  ['v1 fields out of layout', `{"v":1,"p":"x","a":1,"e":${future},"c":1}`, false],
  ['times as strings', `{"v":1,"a":"1234567890123","e":${pad(future)},"c":1,"p":"x"}`, false],
  ['a missing createdAt', `{"v":1,"a":${pad(1)},"e":${pad(future)},"p":"x"}`, true],
  ['a fractional time', `${head.replace(/"c":\d+/, '"c":1.5')},"p":"x"}`, true],
  ['protocolVersion as a number', `${head},"p":20251125}`, true],
  ['clientInfo as a string', `${head},"p":"x","i":"client"}`, true],
  ['clientInfo without a version', `${head},"p":"x","i":{"name":"n"}}`, true],
  ['capabilities as an array', `${head},"p":"x","k":[]}`, true],
  ['owner as a number', `${head},"p":"x","o":7}`, true],
  ['data as null', `${head},"p":"x","d":null}`, true],
  ['an unknown field', `${head},"p":"x","z":1}`, true],
  ['a revision in a version 1 value', `${head},"r":2,"p":"x"}`, true],
  ['a version 2 value without a revision', head2.replace(',"r":3', ''), true],
  ['a revision of 0', `${head2.replace('"r":3', '"r":0')},"p":"x"}`, true],
  ['a revision written as 3.0', `${head2.replace('"r":3', '"r":3.0')},"p":"x"}`, true],
];

const slot = Math.ceil(future / 60_000) * 60_000;
const head3 = `{"v":3,"t":${String(600_000).padEnd(14, ' ')},"s":${pad(slot)},"r":3,"c":${Date.now()}`;

/** Values in the version 3 layout that are still not a record (a touch leaves them as they are). */
const corruptV3: [string, string][] = [
  ['a version 3 value with the times of version 2', `${head3},"p":"x","a":1}`],
  ['a version 3 value without t', `{"v":3,"s":${pad(slot)},"r":3,"c":1,"p":"x"}`],
  ['a version 3 revision of 0', `${head3.replace('"r":3', '"r":0')},"p":"x"}`],
  ['a version 3 slot as a string', `${head3.replace(/"s":\d+ */, '"s":"12345678901"')},"p":"x"}`],
  ['a version 3 value truncated', `${head3},"p":"x"`],
  ['a version 3 protocolVersion as a number', `${head3},"p":1}`],
];

describe.each(servers.topologies)(
  'RedisSessionStore and values it cannot read ($name)',
  (topology) => {
    /** The store's connection, of the kind under test. */
    let client: RedisClient;
    /** Plants and inspects the values (ioredis). */
    let admin: AdminClient;
    let store: RedisSessionStore;
    let keys: RedisKeys;
    let warn: jest.SpyInstance;
    let record: string;
    let quarantine: string;
    let index: string;

    beforeEach(() => {
      const keyPrefix = freshPrefix('decode');
      // Generous commandTimeout: a busy machine must not fail a decoding test.
      store = new RedisSessionStore(client, { keyPrefix, commandTimeout: 10_000 });
      keys = new RedisKeys(keyPrefix, 16);
      [record, index, quarantine] = keys.recordIndexQuarantine(ID);
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    beforeAll(async () => {
      client = await topology.connect();
      admin = topology.admin();
    });

    afterAll(async () => {
      await closeQuietly(client);
    });

    afterEach(() => {
      warn.mockRestore();
    });

    /** Writes `raw` where the record of ID lives, with an index entry, next to a live neighbour. */
    async function plant(raw: string): Promise<void> {
      const neighbour = new SessionRecord('neighbour', '2025-11-25', 60_000);
      neighbour.data = { kept: true };
      await store.create(neighbour);
      await admin.set(record, raw, 'PXAT', future);
      await admin.zadd(index, future, ID);
    }

    /** Asserts that ID is gone, kept aside for a day as `aside`, logged once, and the neighbour intact. */
    async function expectMovedAside(aside: string): Promise<void> {
      expect(await admin.exists(record)).toBe(0);
      expect(await admin.zscore(index, ID)).toBeNull();
      expect(await admin.get(quarantine)).toBe(aside);
      const ttl = await admin.pttl(quarantine);
      expect(ttl).toBeGreaterThan(DAY - 60_000);
      expect(ttl).toBeLessThanOrEqual(DAY);
      expect(warn).toHaveBeenCalledTimes(1);
      const [line] = warn.mock.calls[0] as [string];
      expect(line).toContain(shortId(ID));
      expect(line).not.toContain(ID);
      expect(line).toMatch(/quarantine key for 24 h/);
      expect((await store.load('neighbour'))?.data).toEqual({ kept: true });
      // Nothing more to log, and the id is free again.
      expect(await store.load(ID)).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      const fresh = await store.create(new SessionRecord(ID, '2025-11-25', 60_000));
      expect(fresh.id).toBe(ID);
    }

    /** `raw` as the touch script leaves it: the times of a value in the layout extended. */
    const touched = (raw: string, stored: string, inLayout: boolean) =>
      inLayout ? raw.slice(0, 11) + stored.slice(11, 42) + raw.slice(42) : raw;

    it.each(corrupt)('load of %s: undefined, moved aside, logged once', async (_, raw) => {
      await plant(raw);
      expect(await store.load(ID)).toBeUndefined();
      await expectMovedAside(raw);
    });

    it.each([
      ['load', (id: string) => store.load(id)],
      ['touch', (id: string) => store.touch(id, 60_000)],
    ] as const)(
      '%s of bytes that are not UTF-8: undefined, moved aside, logged once',
      async (_op, call) => {
        const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]);
        const neighbour = new SessionRecord('neighbour', '2025-11-25', 60_000);
        await store.create(neighbour);
        await admin.set(record, bytes, 'PXAT', future);
        await admin.zadd(index, future, ID);
        expect(await call(ID)).toBeUndefined();
        expect(await admin.exists(record)).toBe(0);
        expect(await admin.getBuffer(quarantine)).toEqual(bytes);
        expect(warn).toHaveBeenCalledTimes(1);
      },
    );

    it.each(corrupt)(
      'touch of %s: undefined, moved aside, logged once',
      async (_, raw, inLayout) => {
        await plant(raw);
        expect(await store.touch(ID, 60_000)).toBeUndefined();
        const aside = (await admin.get(quarantine)) ?? '';
        expect(aside).toBe(touched(raw, aside, inLayout));
        await expectMovedAside(aside);
      },
    );

    it.each(corruptV3)(
      'load, touch and update of %s: undefined, moved aside unchanged, logged once each',
      async (_, raw) => {
        for (const call of [
          () => store.load(ID),
          () => store.touch(ID, 60_000),
          () => store.update(ID, () => undefined),
        ]) {
          await admin.del(quarantine);
          warn.mockClear();
          await plant(raw);
          expect(await call()).toBeUndefined();
          await expectMovedAside(raw);
        }
      },
    );

    it.each(corrupt)('update of %s: undefined, the change never called', async (_, raw) => {
      await plant(raw);
      const change = jest.fn();
      expect(await store.update(ID, change)).toBeUndefined();
      expect(change).not.toHaveBeenCalled();
      await expectMovedAside(raw);
    });

    it.each(corrupt.filter(([, , inLayout]) => !inLayout))(
      'save over %s: moves it aside, then stores the record',
      async (_, raw) => {
        await plant(raw);
        const fresh = new SessionRecord(ID, '2025-11-25', 60_000);
        fresh.data = { fresh: true };
        await store.save(fresh);
        expect(fresh.revision).toBe(1);
        expect((await store.load(ID))?.data).toEqual({ fresh: true });
        expect(await admin.get(quarantine)).toBe(raw);
        expect(warn).toHaveBeenCalledTimes(1);
      },
    );

    it('delete removes an unreadable value', async () => {
      await plant('definitely not json');
      await store.delete(ID);
      expect(await admin.exists(record, quarantine)).toBe(0);
      expect(await admin.zscore(index, ID)).toBeNull();
    });

    it('moves a key of another type aside on load, touch, update and save', async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ['load', () => store.load(ID)],
        ['touch', () => store.touch(ID, 60_000)],
        ['update', () => store.update(ID, () => undefined)],
      ];
      for (const [, call] of calls) {
        warn.mockClear();
        await admin.del(quarantine);
        await admin.hset(record, 'field', 'value');
        expect(await call()).toBeUndefined();
        expect(await admin.hget(quarantine, 'field')).toBe('value');
        expect(await admin.exists(record)).toBe(0);
        expect(await admin.pttl(quarantine)).toBeGreaterThan(DAY - 60_000);
        expect(warn).toHaveBeenCalledTimes(1);
      }
      await admin.hset(record, 'field', 'value');
      await store.save(new SessionRecord(ID, '2025-11-25', 60_000));
      expect((await store.load(ID))?.id).toBe(ID);
    });

    it('reads a value written in the documented version 1 format, at revision 1', async () => {
      const raw = `${head},"p":"2025-06-18","i":{"name":"c","version":"1"},"o":"u","d":{"n":1}}`;
      await admin.set(record, raw, 'PXAT', future);
      const loaded = await store.load(ID);
      expect(loaded).toBeInstanceOf(SessionRecord);
      expect(loaded).toMatchObject({ protocolVersion: '2025-06-18', owner: 'u', data: { n: 1 } });
      expect(loaded!.revision).toBe(1);
      expect(loaded!.expiresAt.getTime()).toBe(future);
    });

    it('rejects records it cannot encode with kind encode, writing nothing', async () => {
      const cyclic = new SessionRecord('cyclic-record-id', '2025-11-25', 60_000);
      const data: Record<string, unknown> = {};
      data.self = data;
      cyclic.data = data;
      await expect(store.create(cyclic)).rejects.toMatchObject({ kind: 'encode' });
      const invalid = new SessionRecord('bad-date-record', '2025-11-25', 60_000);
      invalid.createdAt = new Date(NaN);
      await expect(store.save(invalid)).rejects.toMatchObject({ kind: 'encode' });
      const deep = new SessionRecord('deep-record-id', '2025-11-25', 60_000);
      let nested: unknown[] = [];
      for (let i = 0; i < 12_000; i++) nested = [nested];
      deep.clientInfo = { name: 'n', version: '1', nested };
      const error = await store.create(deep).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error).toMatchObject({ kind: 'encode' });
      expect((error as Error).message).toMatch(/nested too deeply/);
      expect(await store.count()).toBe(0);
    });
  },
);
