import {
  MemorySessionStore,
  SessionRecord,
  type SessionRecordChange,
  SessionStore,
  SessionStoreError,
  type SessionUpdateOptions,
  updateRecord,
} from '../../lib';

type Method = 'create' | 'save' | 'load' | 'delete' | 'touch' | 'count' | 'cleanupExpired';

const METHODS: readonly Method[] = [
  'create',
  'save',
  'load',
  'delete',
  'touch',
  'count',
  'cleanupExpired',
];

const perMethod = (): Record<Method, number> =>
  Object.fromEntries(METHODS.map((method) => [method, 0])) as Record<Method, number>;

/**
 * The store double of every spec: a real store (its own memory records, or
 * the `inner` store given) that counts the calls that reach it, can be made
 * to fail (as a backend that is down), and can hold a method until released.
 * `inner` reaches the records without counting or failing. It is a
 * `MemorySessionStore`, so the module treats it as a store of this process
 * (no `requestStateKey` needed), even when it wraps a shared one.
 */
export class InstrumentedSessionStore extends MemorySessionStore {
  /** Calls by method. */
  readonly calls = perMethod();
  /** The most calls of one method in flight at once. */
  readonly peak = perMethod();
  /** Every call, in order (assign `[]` to start afresh). */
  log: Method[] = [];
  /** Methods that reject with `error` instead of running. */
  failing = new Set<Method>();
  /** What a failing method rejects with. */
  error: Error = SessionStoreError.backend('backend unreachable', new Error('connection refused'));
  private readonly running = perMethod();
  private readonly held = new Map<Method, Promise<void>>();

  /** The wrapped store, reached without counting, failing or holding. */
  readonly inner: SessionStore;

  /** @param inner the store to wrap; default: this store's own memory records. */
  constructor(inner?: SessionStore) {
    super();
    this.inner = inner ?? {
      create: (record) => super.create(record),
      save: (record) => super.save(record),
      load: (id) => super.load(id),
      delete: (id) => super.delete(id),
      touch: (id, ttlMs) => super.touch(id, ttlMs),
      update: (id, change, options) => super.update(id, change, options),
      count: () => super.count(),
      cleanupExpired: () => super.cleanupExpired(),
    };
  }

  /** Total calls. */
  get total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  /** Makes every call fail (true) or work again (false). */
  down(isDown: boolean): void {
    this.failing = new Set(isDown ? METHODS : []);
  }

  /** Holds `method` calls (after they ran) until the returned function is called. */
  hold(method: Method): () => void {
    let release!: () => void;
    this.held.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(method);
      release();
    };
  }

  /** Makes the stored record `id` expired without waiting (not counted). */
  async expire(id: string): Promise<void> {
    const record = await this.inner.load(id);
    if (!record) throw new Error(`no session ${id}`);
    record.expiresAt = new Date(Date.now() - 1);
    await this.inner.save(record);
  }

  override create(record: SessionRecord): Promise<SessionRecord> {
    return this.run('create', () => this.inner.create(record));
  }
  override save(record: SessionRecord): Promise<void> {
    return this.run('save', () => this.inner.save(record));
  }
  override load(id: string): Promise<SessionRecord | undefined> {
    return this.run('load', () => this.inner.load(id));
  }
  override delete(id: string): Promise<void> {
    return this.run('delete', () => this.inner.delete(id));
  }
  override touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    return this.run('touch', () => this.inner.touch!(id, ttlMs));
  }
  /** The wrapped store's update (not counted, failed or held). */
  override update(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined> {
    return updateRecord(this.inner, id, change, options);
  }
  override count(): Promise<number> {
    return this.run('count', () => this.inner.count!());
  }
  override cleanupExpired(): Promise<number> {
    return this.run('cleanupExpired', () => this.inner.cleanupExpired!());
  }

  private async run<T>(method: Method, call: () => Promise<T>): Promise<T> {
    this.calls[method]++;
    this.log.push(method);
    if (this.failing.has(method)) throw this.error;
    this.peak[method] = Math.max(this.peak[method], ++this.running[method]);
    try {
      const result = await call();
      await this.held.get(method);
      return result;
    } finally {
      this.running[method]--;
    }
  }
}
