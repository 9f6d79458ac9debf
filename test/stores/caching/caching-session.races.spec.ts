import {
  CachingSessionStore,
  MemorySessionStore,
  SessionRecord,
  type SessionInvalidationChannel,
  type SessionInvalidationListener,
  type SessionRecordChange,
  type SessionUpdateOptions,
} from '../../../lib';

const VERSION = '2025-11-25';
const TTL = 30 * 60_000;

/** A backend whose writes wait at a gate before they run (as a slow shared store's would). */
class GatedBackend extends MemorySessionStore {
  private gate?: Promise<void>;

  /** Makes the next writes wait; resolves them when the returned function is called. */
  close(): () => void {
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      this.gate = undefined;
      open();
    };
  }

  /** Holds the answers of touch (after it ran) until the returned function is called. */
  holdTouches(): () => void {
    let release!: () => void;
    this.touchHold = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.touchHold = undefined;
      release();
    };
  }

  private touchHold?: Promise<void>;

  override async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const touched = await super.touch(id, ttlMs);
    await this.touchHold;
    return touched;
  }

  override async delete(id: string): Promise<void> {
    await this.gate;
    return super.delete(id);
  }

  override async save(record: SessionRecord): Promise<void> {
    await this.gate;
    return super.save(record);
  }

  override async update(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined> {
    await this.gate;
    return super.update(id, change, options);
  }
}

/**
 * One instance: a read that starts after this instance began a write, but
 * reaches the backend before the write lands, must not leave its older copy
 * trusted in the cache once the write is done.
 */
describe('CachingSessionStore, a read racing a write of the same instance', () => {
  let backend: GatedBackend;
  let store: CachingSessionStore;
  /** What another instance's invalidations reach this one through. */
  let listener: SessionInvalidationListener;

  beforeEach(async () => {
    backend = new GatedBackend();
    const channel: SessionInvalidationChannel = {
      connected: true,
      publish: async () => undefined,
      subscribe: (subscriber) => {
        listener = subscriber;
        return () => undefined;
      },
    };
    store = new CachingSessionStore(new MemorySessionStore(), backend, {
      cacheTtl: 60_000,
      channel,
    });
    const record = new SessionRecord('raced', VERSION, TTL);
    record.data = { n: 1 };
    await store.create(record);
  });

  it('serves no deleted record after delete', async () => {
    const open = backend.close();
    const deleting = store.delete('raced');
    // Reads the backend (the record is still there) and caches it meanwhile.
    expect((await store.load('raced'))?.data).toEqual({ n: 1 });
    open();
    await deleting;
    expect(await store.load('raced')).toBeUndefined();
    expect(await store.touch('raced', TTL)).toBeUndefined();
  });

  // Another instance's invalidation arrives while the write waits: the
  // write's own result may then not be cached, and the read that started
  // after that invalidation (answered before the write landed) must not stay.
  it('serves the update, not the copy read before it landed', async () => {
    const open = backend.close();
    const updating = store.update('raced', (r) => void (r.data = { n: 2 }));
    listener.invalidate('raced');
    expect((await store.load('raced'))?.data).toEqual({ n: 1 });
    open();
    expect((await updating)?.revision).toBe(2);
    expect((await store.load('raced'))?.data).toEqual({ n: 2 });
    expect((await store.touch('raced', TTL))?.data).toEqual({ n: 2 });
  });

  it('serves the save, not the copy read before it landed', async () => {
    const copy = (await store.load('raced'))!;
    const open = backend.close();
    copy.data = { n: 3 };
    const saving = store.save(copy);
    listener.invalidate('raced');
    expect((await store.load('raced'))?.data).toEqual({ n: 1 });
    open();
    await saving;
    expect((await store.load('raced'))?.data).toEqual({ n: 3 });
  });

  it('never replaces a cached revision with an older one read before it', async () => {
    const open = backend.close();
    const updating = store.update('raced', (r) => void (r.data = { n: 4 }));
    // A touch that starts after the update began and reads revision 1...
    const release = backend.holdTouches();
    const touching = store.touch('raced', TTL);
    await new Promise((resolve) => setImmediate(resolve));
    // ...answered only after the update's revision 2 was cached.
    open();
    expect((await updating)?.revision).toBe(2);
    release();
    expect((await touching)?.data).toEqual({ n: 1 });
    expect((await store.load('raced'))?.data).toEqual({ n: 4 });
  });
});
