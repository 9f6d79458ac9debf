import {
  InvalidOptionError,
  MemorySessionStore,
  SessionRecord,
  type SessionStore,
  SessionStoreError,
  updateRecord,
} from '../../lib';
import { touchOrExtend } from '../../lib/contract/touch-or-extend';
import { UpdateQueue } from '../../lib/contract/update-record';

const VERSION = '2025-11-25';
const TTL = 60_000;

/** The memory store's four required methods only: a store with a revision-checked save and no update or touch. */
function withoutUpdate(inner = new MemorySessionStore()): SessionStore & { saves: number } {
  const store = {
    saves: 0,
    create: (record: SessionRecord) => inner.create(record),
    save: async (record: SessionRecord) => {
      store.saves++;
      // An await between every read and write, as a remote store has.
      await new Promise((resolve) => setImmediate(resolve));
      return inner.save(record);
    },
    load: (id: string) => inner.load(id),
    delete: (id: string) => inner.delete(id),
  };
  return store;
}

const increment = (record: SessionRecord) =>
  void (record.data = { n: Number(record.data?.n ?? 0) + 1 });

describe('updateRecord', () => {
  it("uses the store's own update when it has one", async () => {
    const store = new MemorySessionStore();
    await store.create(new SessionRecord('own', VERSION, TTL));
    const update = jest.spyOn(store, 'update');
    expect((await updateRecord(store, 'own', increment, { retries: 3 }))?.data).toEqual({ n: 1 });
    expect(update).toHaveBeenCalledWith('own', increment, { retries: 3 });
  });

  it('without update: load, change and a revision-checked save; 30 concurrent increments end exact', async () => {
    const store = withoutUpdate();
    await store.create(new SessionRecord('counter', VERSION, TTL));
    const results = await Promise.all(
      Array.from({ length: 30 }, () => updateRecord(store, 'counter', increment)),
    );
    expect(results.map((r) => r?.data?.n).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(await store.load('counter')).toMatchObject({ data: { n: 30 }, revision: 31 });
    expect(await updateRecord(store, 'never-created', increment)).toBeUndefined();
  });

  it('rejects with kind conflict once every attempt lost, after retries + 1 saves', async () => {
    const store = withoutUpdate();
    await store.create(new SessionRecord('contended', VERSION, TTL));
    store.save = async () => {
      store.saves++;
      throw new SessionStoreError('conflict', 'another write came first');
    };
    const error = await updateRecord(store, 'contended', increment, { retries: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({ kind: 'conflict' });
    expect((error as Error).message).toMatch(/3 attempts lost to concurrent writes/);
    expect(store.saves).toBe(3);
  });

  it('restores id and revision after the change, refuses an async change and bad retries', async () => {
    const store = new MemorySessionStore();
    await store.create(new SessionRecord('kept', VERSION, TTL));
    const updated = await updateRecord(store, 'kept', (record) => {
      record.id = 'other';
      record.revision = 99;
      increment(record);
    });
    expect(updated).toMatchObject({ id: 'kept', revision: 2 });
    expect(await store.load('other')).toBeUndefined();

    const asyncChange = (async () => undefined) as unknown as (record: SessionRecord) => void;
    await expect(updateRecord(store, 'kept', asyncChange)).rejects.toThrow(
      /the change must be synchronous/,
    );
    await expect(updateRecord(withoutUpdate(), 'kept', increment, { retries: -1 })).rejects.toThrow(
      InvalidOptionError,
    );
    expect((await store.load('kept'))?.revision).toBe(2);
  });
});

describe('touchOrExtend on a store without touch', () => {
  it('extends through update, or load and a save repeated on a conflict; never revives', async () => {
    const inner = new MemorySessionStore();
    const withUpdate = Object.assign(withoutUpdate(inner), { update: inner.update.bind(inner) });
    for (const store of [withUpdate, withoutUpdate()]) {
      await store.create(new SessionRecord('live', VERSION, 1_000));
      const loaded = (await store.load('live'))!;
      // Another write between the caller's load and the extension: no conflict escapes.
      const other = (await store.load('live'))!;
      other.data = { other: true };
      await store.save(other);
      const extended = await touchOrExtend(store, 'live', TTL, loaded);
      expect(extended?.expiresAt.getTime()).toBeGreaterThan(Date.now() + TTL - 5_000);
      expect(await store.load('live')).toMatchObject({ data: { other: true } });
      await store.delete('live');
      expect(await touchOrExtend(store, 'live', TTL)).toBeUndefined();
      expect(await store.load('live')).toBeUndefined();
    }
  });
});

describe('UpdateQueue', () => {
  it('runs the tasks of one id one after another, in order, and other ids freely', async () => {
    const queue = new UpdateQueue();
    const events: string[] = [];
    let release!: () => void;
    const first = queue.run('a', async () => {
      events.push('a1 start');
      await new Promise<void>((resolve) => (release = resolve));
      events.push('a1 end');
      throw new Error('a1 failed');
    });
    const second = queue.run('a', async () => void events.push('a2'));
    await queue.run('b', async () => void events.push('b1'));
    expect(queue.size).toBe(2);
    release();
    await expect(first).rejects.toThrow('a1 failed');
    await second;
    expect(events).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.size).toBe(0);
  });
});
