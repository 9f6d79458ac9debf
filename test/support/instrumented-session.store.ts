import { SessionRecord, SessionStore } from '../../lib';

type Method = 'create' | 'save' | 'load' | 'delete' | 'touch' | 'count' | 'cleanupExpired';

/**
 * A real store wrapped for tests: counts the calls that reach it, can be made
 * to fail (as a backend that is down), and can hold a method until released.
 */
export class InstrumentedSessionStore implements SessionStore {
  /** Calls that reached the wrapped store, by method. */
  readonly calls: Record<Method, number> = {
    create: 0,
    save: 0,
    load: 0,
    delete: 0,
    touch: 0,
    count: 0,
    cleanupExpired: 0,
  };
  /** Methods that reject with `error` instead of running. */
  failing = new Set<Method>();
  error: Error = new Error('backend unreachable');
  private held = new Map<Method, Promise<void>>();

  constructor(readonly inner: SessionStore) {}

  /** Total calls that reached the wrapped store. */
  get total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  /** Makes every call fail (true) or work again (false). */
  down(isDown: boolean): void {
    this.failing = new Set(isDown ? (Object.keys(this.calls) as Method[]) : []);
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

  create(record: SessionRecord) {
    return this.run('create', () => this.inner.create(record));
  }
  save(record: SessionRecord) {
    return this.run('save', () => this.inner.save(record));
  }
  load(id: string) {
    return this.run('load', () => this.inner.load(id));
  }
  delete(id: string) {
    return this.run('delete', () => this.inner.delete(id));
  }
  touch(id: string, ttlMs: number) {
    return this.run('touch', () => this.inner.touch!(id, ttlMs));
  }
  count() {
    return this.run('count', () => this.inner.count!());
  }
  cleanupExpired() {
    return this.run('cleanupExpired', () => this.inner.cleanupExpired!());
  }

  private async run<T>(method: Method, call: () => Promise<T>): Promise<T> {
    this.calls[method]++;
    if (this.failing.has(method)) throw this.error;
    const result = await call();
    await this.held.get(method);
    return result;
  }
}
