import Redis from 'ioredis';
import { RedisSessionStore, SessionRecord, SessionStoreError, shortId } from '../../../lib';
import { RedisKeys } from '../../../lib/stores/redis/redis-keys';
import { startRedisNode, type RedisNode } from '../../support/redis-harness';
import { closeQuietly, freshPrefix } from './redis-test.helpers';

let node: RedisNode;
let client: Redis;

beforeAll(async () => {
  node = await startRedisNode();
  client = new Redis(node.port, '127.0.0.1');
});

afterAll(async () => {
  await closeQuietly(client);
  await node?.stop();
});

const ID = 'corrupt-0123456789abcdef';
const future = Date.now() + 600_000;
const pad = (n: number) => String(n).padEnd(13, ' ');
const head = `{"v":1,"a":${pad(Date.now())},"e":${pad(future)},"c":${Date.now()}`;

/** Stored values that are not a record this version can read. */
const corrupt: [string, string][] = [
  ['not JSON', 'definitely not json'],
  ['empty string', ''],
  ['truncated JSON', `${head},"p":"2025-11-25"`],
  ['JSON null', 'null'],
  ['a JSON number', '42'],
  ['a JSON array', '[1,2,3]'],
  ['a JSON string', '"hello"'],
  ['no version', `{"a":1,"e":${future},"c":1,"p":"x"}`],
  ['an unknown version', `{"v":2,"a":1,"e":${future},"c":1,"p":"x"}`],
  ['version as a string', `{"v":"1","a":1,"e":${future},"c":1,"p":"x"}`],
  ['v1 fields out of layout', `{"v":1,"p":"x","a":1,"e":${future},"c":1}`],
  ['times as strings', `{"v":1,"a":"1234567890123","e":${pad(future)},"c":1,"p":"x"}`],
  ['a missing createdAt', `{"v":1,"a":${pad(1)},"e":${pad(future)},"p":"x"}`],
  ['a fractional time', `${head.replace(/"c":\d+/, '"c":1.5')},"p":"x"}`],
  ['protocolVersion as a number', `${head},"p":20251125}`],
  ['clientInfo as a string', `${head},"p":"x","i":"client"}`],
  ['clientInfo without a version', `${head},"p":"x","i":{"name":"n"}}`],
  ['capabilities as an array', `${head},"p":"x","k":[]}`],
  ['owner as a number', `${head},"p":"x","o":7}`],
  ['data as null', `${head},"p":"x","d":null}`],
  ['an unknown field', `${head},"p":"x","z":1}`],
];

describe('RedisSessionStore decoding', () => {
  let store: RedisSessionStore;
  let keys: RedisKeys;

  beforeEach(() => {
    const keyPrefix = freshPrefix('decode');
    // Generous commandTimeout: a busy machine must not fail a decoding test.
    store = new RedisSessionStore(client, { keyPrefix, commandTimeout: 10_000 });
    keys = new RedisKeys(keyPrefix, 16);
  });

  it.each(corrupt)('rejects %s with kind decode naming only the id prefix', async (_, raw) => {
    await store.create(new SessionRecord('neighbour', '2025-11-25', 60_000));
    await client.set(keys.record(ID), raw, 'PXAT', future);

    for (const call of [() => store.load(ID), () => store.touch(ID, 60_000)]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SessionStoreError);
      expect((error as SessionStoreError).kind).toBe('decode');
      expect((error as Error).message).toContain(shortId(ID));
      expect((error as Error).message).not.toContain(ID);
    }
    // Nothing was lost: the value is as written (a value in the v1 layout
    // may have had only its fixed-width times extended by touch), and the
    // neighbour is intact.
    const stored = (await client.get(keys.record(ID)))!;
    if (raw.startsWith('{"v":1,"a":') && raw.slice(24, 29) === ',"e":') {
      expect(stored.slice(0, 11) + stored.slice(42)).toBe(raw.slice(0, 11) + raw.slice(42));
    } else {
      expect(stored).toBe(raw);
    }
    expect((await store.load('neighbour'))?.id).toBe('neighbour');
    // The corrupt record can still be deleted or overwritten.
    await store.save(new SessionRecord(ID, '2025-11-25', 60_000));
    expect((await store.load(ID))?.protocolVersion).toBe('2025-11-25');
  });

  it('rejects a key of another type with kind decode', async () => {
    await client.hset(keys.record(ID), 'field', 'value');
    await expect(store.load(ID)).rejects.toMatchObject({ kind: 'decode' });
    await expect(store.touch(ID, 60_000)).rejects.toMatchObject({ kind: 'decode' });
    await store.delete(ID);
    expect(await client.exists(keys.record(ID))).toBe(0);
  });

  it('reads a value written in the documented version 1 format', async () => {
    const raw = `${head},"p":"2025-06-18","i":{"name":"c","version":"1"},"o":"u","d":{"n":1}}`;
    await client.set(keys.record(ID), raw, 'PXAT', future);
    const loaded = await store.load(ID);
    expect(loaded).toBeInstanceOf(SessionRecord);
    expect(loaded).toMatchObject({ protocolVersion: '2025-06-18', owner: 'u', data: { n: 1 } });
    expect(loaded!.expiresAt.getTime()).toBe(future);
  });

  it('rejects records it cannot encode with kind encode, writing nothing', async () => {
    const record = new SessionRecord('cyclic-record-id', '2025-11-25', 60_000);
    const data: Record<string, unknown> = {};
    data.self = data;
    record.data = data;
    await expect(store.create(record)).rejects.toMatchObject({ kind: 'encode' });
    const invalid = new SessionRecord('bad-date-record', '2025-11-25', 60_000);
    invalid.createdAt = new Date(NaN);
    await expect(store.save(invalid)).rejects.toMatchObject({ kind: 'encode' });
    expect(await store.count()).toBe(0);
  });
});
