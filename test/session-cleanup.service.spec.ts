import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  McpSessionModule,
  type McpSessionModuleOptions,
  MemorySessionStore,
  SessionCleanupService,
  SessionRecord,
  type SessionStore,
} from '../lib';

/** A memory store whose sweeps can be counted, failed or held open. */
class ProbeStore extends MemorySessionStore {
  sweeps = 0;
  concurrent = 0;
  maxConcurrent = 0;
  failNext = false;
  hold?: Promise<void>;

  override async cleanupExpired(): Promise<number> {
    this.sweeps++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.hold) await this.hold;
      if (this.failNext) {
        this.failNext = false;
        throw new Error('backend unreachable');
      }
      return await super.cleanupExpired();
    } finally {
      this.concurrent--;
    }
  }
}

async function boot(options: McpSessionModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [McpSessionModule.forRoot(options)],
  }).compile();
  moduleRef.useLogger(false);
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('SessionCleanupService', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('sweeps every cleanupInterval once the application has bootstrapped', async () => {
    const store = new ProbeStore();
    const app = await boot({ store, cleanupInterval: 1_000 });
    const dead = new SessionRecord('dead', '2025-11-25', 500);
    await store.save(dead);
    await store.save(new SessionRecord('live', '2025-11-25', 60_000));

    await jest.advanceTimersByTimeAsync(999);
    expect(store.sweeps).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.sweeps).toBe(1);
    expect(await store.count()).toBe(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(store.sweeps).toBe(4);
    await app.close();
  });

  it('logs the count of each sweep', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const store = new ProbeStore();
    const app = await boot({ store, cleanupInterval: 1_000 });
    await store.save(new SessionRecord('dead', '2025-11-25', 10));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(log).toHaveBeenCalledWith('Removed 1 expired session(s)');
    await app.close();
  });

  it('does nothing when the store has no cleanupExpired', async () => {
    const inner = new MemorySessionStore();
    const store: SessionStore = {
      create: (r) => inner.create(r),
      save: (r) => inner.save(r),
      load: (id) => inner.load(id),
      delete: (id) => inner.delete(id),
    };
    const app = await boot({ store, cleanupInterval: 1_000 });
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5_000);
    await app.close();
  });

  it('does nothing when cleanupInterval is false', async () => {
    const store = new ProbeStore();
    const app = await boot({ store, cleanupInterval: false });
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(store.sweeps).toBe(0);
    await app.close();
  });

  it('survives a throwing sweep, logs it, and runs the next one', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const store = new ProbeStore();
    const app = await boot({ store, cleanupInterval: 1_000 });
    store.failNext = true;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('backend unreachable'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.sweeps).toBe(2);
    await app.close();
  });

  it('never runs two sweeps at once', async () => {
    const store = new ProbeStore();
    let release!: () => void;
    store.hold = new Promise((resolve) => (release = resolve));
    const app = await boot({ store, cleanupInterval: 1_000 });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(store.sweeps).toBe(1);
    expect(store.maxConcurrent).toBe(1);
    release();
    store.hold = undefined;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.sweeps).toBe(2);
    await app.close();
  });

  it('stops on app.close(), waiting for a sweep in progress, and leaves no timer', async () => {
    const store = new ProbeStore();
    let release!: () => void;
    store.hold = new Promise((resolve) => (release = resolve));
    const app = await boot({ store, cleanupInterval: 1_000 });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(jest.getTimerCount()).toBe(1);

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(store.sweeps).toBe(1);
  });

  it('can be asked for a sweep directly', async () => {
    const store = new ProbeStore();
    const app = await boot({ store, cleanupInterval: false });
    const dead = new SessionRecord('d', '2025-11-25', 60_000);
    dead.expiresAt = new Date(Date.now() - 1);
    await store.save(dead);
    expect(await app.get(SessionCleanupService).sweep()).toBe(1);
    await app.close();
  });
});
