import { Logger } from '@nestjs/common';
import {
  CachingSessionStore,
  type CachingSessionStoreOptions,
  MemorySessionStore,
  SessionRecord,
  SessionStoreError,
} from '../../../lib';
import { InstrumentedSessionStore } from '../../support/instrumented-session.store';

const VERSION = '2025-11-25';
const TTL = 60_000;

function setup(options: CachingSessionStoreOptions = {}) {
  const cache = new InstrumentedSessionStore();
  const backend = new InstrumentedSessionStore();
  const store = new CachingSessionStore(cache, backend, options);
  return { cache, backend, store };
}

async function seed(store: { save(r: SessionRecord): Promise<void> }, id: string) {
  const record = new SessionRecord(id, VERSION, TTL);
  record.data = { id };
  await store.save(record);
  return record;
}

describe('CachingSessionStore over a memory backend', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.useRealTimers();
    warn.mockRestore();
  });

  it('fills the cache on a read miss and answers the next reads from it', async () => {
    const { cache, backend, store } = setup();
    await seed(backend.inner, 'filled');

    expect((await store.load('filled'))?.data).toEqual({ id: 'filled' });
    expect(await cache.inner.load('filled')).toBeDefined();
    for (let i = 0; i < 5; i++)
      expect((await store.load('filled'))?.data).toEqual({ id: 'filled' });
    expect(backend.calls.load).toBe(1);
  });

  it('writes to the backend first, then the cache, with the id the backend chose', async () => {
    const { cache, backend, store } = setup();
    await store.create(new SessionRecord('taken', VERSION, TTL));
    const second = new SessionRecord('taken', VERSION, TTL);
    await store.create(second);

    expect(second.id).not.toBe('taken');
    expect(await cache.inner.load(second.id)).toBeDefined();
    expect(await backend.inner.load(second.id)).toBeDefined();
    expect(await store.load(second.id)).toBeDefined();
    expect(backend.calls.load).toBe(0);
  });

  it('logs a failure to fill the cache and still answers', async () => {
    const { cache, backend, store } = setup();
    await seed(backend.inner, 'unfillable');
    cache.failing.add('save');

    expect((await store.load('unfillable'))?.data).toEqual({ id: 'unfillable' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Could not cache unfillab…'));
    expect((await store.load('unfillable'))?.id).toBe('unfillable');
    expect(backend.calls.load).toBe(2);
  });

  it('goes to the backend when the cache itself fails to read', async () => {
    const { cache, store } = setup();
    await seed(store, 'cache-broken');
    cache.failing.add('load');
    expect((await store.load('cache-broken'))?.id).toBe('cache-broken');
  });

  it('keeps at most maxEntries copies, dropping the least recently used', async () => {
    const { cache, backend, store } = setup({ maxEntries: 2 });
    await seed(store, 'a');
    await seed(store, 'b');
    await store.load('a');
    await seed(store, 'c');

    expect(await cache.inner.load('b')).toBeUndefined();
    expect(await cache.inner.load('a')).toBeDefined();
    expect(await cache.inner.load('c')).toBeDefined();
    expect(await (cache.inner as MemorySessionStore).count()).toBe(2);

    await store.load('a');
    await store.load('c');
    expect(backend.calls.load).toBe(0);
    expect((await store.load('b'))?.id).toBe('b');
    expect(backend.calls.load).toBe(1);
  });

  it('trusts a cached copy for cacheTtl, then asks the backend again', async () => {
    const { backend, store } = setup({ cacheTtl: 5_000 });
    await seed(store, 'ttl');
    jest.advanceTimersByTime(4_999);
    await store.load('ttl');
    expect(backend.calls.load).toBe(0);

    jest.advanceTimersByTime(1);
    await store.load('ttl');
    expect(backend.calls.load).toBe(1);
    await store.load('ttl');
    expect(backend.calls.load).toBe(1);
  });

  it('serves another instance’s delete after at most cacheTtl when it has no channel', async () => {
    const shared = new MemorySessionStore();
    const a = new CachingSessionStore(new MemorySessionStore(), shared, { cacheTtl: 2_000 });
    const b = new CachingSessionStore(new MemorySessionStore(), shared, { cacheTtl: 2_000 });
    await seed(a, 'gone');
    await b.delete('gone');
    jest.advanceTimersByTime(2_000);
    expect(await a.load('gone')).toBeUndefined();
    expect(await a.touch('gone', TTL)).toBeUndefined();
  });

  it('never caches a record that a delete raced', async () => {
    const { cache, backend, store } = setup();
    await seed(backend.inner, 'raced');
    const release = backend.hold('load');
    const loading = store.load('raced');
    await store.delete('raced');
    release();

    await loading;
    expect(await cache.inner.load('raced')).toBeUndefined();
    expect(await store.load('raced')).toBeUndefined();
  });

  describe('throttled touches', () => {
    it('extends the cached copy on every touch but writes the backend once per touchInterval', async () => {
      const { backend, store } = setup({ touchInterval: 1_000, cacheTtl: 60_000 });
      await seed(store, 'hot');
      const writtenAt = Date.now();

      jest.advanceTimersByTime(999);
      const touched = (await store.touch('hot', TTL))!;
      expect(touched.expiresAt.getTime()).toBe(Date.now() + TTL);
      expect(backend.calls.touch).toBe(0);
      expect((await backend.inner.load('hot'))!.expiresAt.getTime()).toBe(writtenAt + TTL);

      jest.advanceTimersByTime(1);
      await store.touch('hot', TTL);
      expect(backend.calls.touch).toBe(1);
      expect((await backend.inner.load('hot'))!.expiresAt.getTime()).toBe(Date.now() + TTL);
    });

    it('never lets the backend expiry lag the true one by more than touchInterval', async () => {
      const interval = 700;
      const { backend, store } = setup({ touchInterval: interval, cacheTtl: 60_000 });
      await seed(store, 'lag');
      const steps = [10, 250, 333, 90, 600, 1, 699, 700, 120, 480, 5, 1_300, 40];
      let maxLag = 0;
      for (let i = 0; i < 200; i++) {
        jest.advanceTimersByTime(steps[i % steps.length]);
        const trueExpiry = (await store.touch('lag', TTL))!.expiresAt.getTime();
        const backendExpiry = (await backend.inner.load('lag'))!.expiresAt.getTime();
        expect(trueExpiry - backendExpiry).toBeLessThan(interval);
        expect(trueExpiry - backendExpiry).toBeGreaterThanOrEqual(0);
        maxLag = Math.max(maxLag, trueExpiry - backendExpiry);
      }
      expect(maxLag).toBeGreaterThan(0);
      expect(backend.calls.touch).toBeGreaterThan(0);
      expect(backend.calls.touch).toBeLessThan(100);
    });

    it('defaults touchInterval to a tenth of the ttl', async () => {
      const { backend, store } = setup({ cacheTtl: 60_000 });
      await seed(store, 'default');
      jest.advanceTimersByTime(TTL / 10 - 1);
      await store.touch('default', TTL);
      expect(backend.calls.touch).toBe(0);
      jest.advanceTimersByTime(1);
      await store.touch('default', TTL);
      expect(backend.calls.touch).toBe(1);
    });

    it('costs a hot session almost no backend calls', async () => {
      const { backend, store } = setup();
      await seed(backend.inner, 'busy');
      for (let i = 0; i < 1_000; i++) {
        jest.advanceTimersByTime(10);
        expect((await store.touch('busy', TTL))?.id).toBe('busy');
      }
      // 10 s of traffic: one miss, then a refresh every touchInterval (6 s).
      expect(backend.total).toBeLessThanOrEqual(3);
      expect((await backend.inner.load('busy'))!.expiresAt.getTime()).toBeGreaterThan(
        Date.now() + TTL - TTL / 10,
      );
    });

    it('revalidates an expired copy with a backend read while the stored expiry is recent', async () => {
      const { cache, backend, store } = setup({ touchInterval: 60_000, cacheTtl: 1_000 });
      const record = await seed(store, 'revalidated');
      record.data = { changed: 'elsewhere' };
      await backend.inner.save(record);
      jest.advanceTimersByTime(1_000);

      const touched = (await store.touch('revalidated', TTL))!;
      expect(backend.calls.load).toBe(1);
      expect(backend.calls.touch).toBe(0);
      expect(touched.data).toEqual({ changed: 'elsewhere' });
      expect(touched.expiresAt.getTime()).toBe(Date.now() + TTL);
      expect((await cache.inner.load('revalidated'))!.expiresAt.getTime()).toBe(Date.now() + TTL);
      await store.touch('revalidated', TTL);
      expect(backend.total - backend.calls.save).toBe(1);
    });

    it('touches the backend when the revalidated record expires too soon there', async () => {
      const { backend, store } = setup({ touchInterval: 5_000, cacheTtl: 1_000 });
      const record = await seed(store, 'short-there');
      record.expiresAt = new Date(Date.now() + 10_000);
      await backend.inner.save(record);
      jest.advanceTimersByTime(1_000);

      expect((await store.touch('short-there', TTL))!.expiresAt.getTime()).toBe(Date.now() + TTL);
      expect(backend.calls.load).toBe(1);
      expect(backend.calls.touch).toBe(1);
      expect((await backend.inner.load('short-there'))!.expiresAt.getTime()).toBe(Date.now() + TTL);
    });

    it('returns undefined when the revalidation finds the session gone', async () => {
      const { backend, store } = setup({ touchInterval: 60_000, cacheTtl: 1_000 });
      await seed(store, 'gone-there');
      await backend.inner.delete('gone-there');
      jest.advanceTimersByTime(1_000);
      expect(await store.touch('gone-there', TTL)).toBeUndefined();
      expect(await store.load('gone-there')).toBeUndefined();
    });

    it('refreshes the cached copy from a backend touch', async () => {
      const { backend, store } = setup({ touchInterval: 1_000 });
      const record = await seed(store, 'refreshed');
      record.data = { changed: 'elsewhere' };
      await backend.inner.save(record);
      jest.advanceTimersByTime(1_000);
      expect((await store.touch('refreshed', TTL))?.data).toEqual({ changed: 'elsewhere' });
      expect((await store.load('refreshed'))?.data).toEqual({ changed: 'elsewhere' });
    });
  });

  describe('when the backend is down', () => {
    it('rejects with a backend SessionStoreError instead of serving a cached copy', async () => {
      const { backend, store } = setup({ cacheTtl: 1_000 });
      await seed(store, 'down');
      backend.down(true);
      jest.advanceTimersByTime(1_000);

      for (const call of [() => store.load('down'), () => store.touch('down', TTL)]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionStoreError);
        expect((error as SessionStoreError).kind).toBe('backend');
      }
      await expect(store.save(new SessionRecord('x', VERSION, TTL))).rejects.toMatchObject({
        kind: 'backend',
      });
      await expect(store.delete('down')).rejects.toMatchObject({ kind: 'backend' });
      await expect(store.count!()).rejects.toMatchObject({ kind: 'backend' });
    });

    it('serves the cached copy when serveStaleOnError is set', async () => {
      const { backend, store } = setup({ cacheTtl: 1_000, serveStaleOnError: true });
      await seed(store, 'stale');
      backend.down(true);
      jest.advanceTimersByTime(1_000);
      expect((await store.load('stale'))?.id).toBe('stale');
      expect((await store.touch('stale', TTL))?.id).toBe('stale');
      await expect(store.load('never-cached')).rejects.toMatchObject({ kind: 'backend' });
    });

    it('drops the cached copy when a delete fails', async () => {
      const { cache, backend, store } = setup();
      await seed(store, 'half');
      backend.down(true);
      await expect(store.delete('half')).rejects.toMatchObject({ kind: 'backend' });
      expect(await cache.inner.load('half')).toBeUndefined();
    });
  });

  it('drops untrusted copies on cleanupExpired and reports the backend’s removals', async () => {
    const { cache, store } = setup({ cacheTtl: 1_000 });
    await seed(store, 'kept');
    const dying = new SessionRecord('dying', VERSION, 500);
    await store.create(dying);
    jest.advanceTimersByTime(1_000);

    expect(await store.cleanupExpired()).toBe(1);
    expect(await (cache.inner as MemorySessionStore).count()).toBe(0);
    expect((await store.load('kept'))?.id).toBe('kept');
  });

  it('has count only when the backend has it', () => {
    const bare = { create: jest.fn(), save: jest.fn(), load: jest.fn(), delete: jest.fn() };
    expect(new CachingSessionStore(new MemorySessionStore(), bare).count).toBeUndefined();
    expect(setup().store.count).toBeInstanceOf(Function);
  });

  it('passes the shutdown on to its parts', async () => {
    const closed: string[] = [];
    const cache = Object.assign(new MemorySessionStore(), {
      onApplicationShutdown: () => void closed.push('cache'),
    });
    const backend = Object.assign(new MemorySessionStore(), {
      onApplicationShutdown: () => void closed.push('backend'),
    });
    await new CachingSessionStore(cache, backend).onApplicationShutdown();
    expect(closed.sort()).toEqual(['backend', 'cache']);
  });

  it.each([
    ['maxEntries', { maxEntries: 0 }, 'a positive integer'],
    ['maxEntries', { maxEntries: 1.5 }, 'a positive integer'],
    ['cacheTtl', { cacheTtl: -1 }, 'a positive number of milliseconds'],
    ['touchInterval', { touchInterval: Number.NaN }, 'a positive number of milliseconds'],
    ['channel', { channel: {} }, 'a SessionInvalidationChannel'],
  ])('rejects an invalid %s, naming it', (name, options, problem) => {
    expect(
      () =>
        new CachingSessionStore(
          new MemorySessionStore(),
          new MemorySessionStore(),
          options as CachingSessionStoreOptions,
        ),
    ).toThrow(new RegExp(`option "${name}" must be ${problem}`));
  });
});
