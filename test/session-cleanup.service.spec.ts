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
import { InstrumentedSessionStore } from './support/instrumented-session.store';

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
    const store = new InstrumentedSessionStore();
    const app = await boot({ store, cleanupInterval: 1_000 });
    const dead = new SessionRecord('dead', '2025-11-25', 500);
    await store.save(dead);
    await store.save(new SessionRecord('live', '2025-11-25', 60_000));

    await jest.advanceTimersByTimeAsync(999);
    expect(store.calls.cleanupExpired).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.calls.cleanupExpired).toBe(1);
    expect(await store.count()).toBe(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(store.calls.cleanupExpired).toBe(4);
    await app.close();
  });

  it('logs the count of each sweep', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const store = new InstrumentedSessionStore();
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
    const store = new InstrumentedSessionStore();
    const app = await boot({ store, cleanupInterval: false });
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(store.calls.cleanupExpired).toBe(0);
    await app.close();
  });

  it('survives a throwing sweep, logs it, and runs the next one', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const store = new InstrumentedSessionStore();
    const app = await boot({ store, cleanupInterval: 1_000 });
    store.failing.add('cleanupExpired');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('backend unreachable'));
    store.failing.clear();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.calls.cleanupExpired).toBe(2);
    await app.close();
  });

  it('never runs two sweeps at once', async () => {
    const store = new InstrumentedSessionStore();
    const release = store.hold('cleanupExpired');
    const app = await boot({ store, cleanupInterval: 1_000 });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(store.calls.cleanupExpired).toBe(1);
    expect(store.peak.cleanupExpired).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.calls.cleanupExpired).toBe(2);
    await app.close();
  });

  it('stops on app.close(), waiting for a sweep in progress, and leaves no timer', async () => {
    const store = new InstrumentedSessionStore();
    const release = store.hold('cleanupExpired');
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
    expect(store.calls.cleanupExpired).toBe(1);
  });

  it('can be asked for a sweep directly', async () => {
    const store = new InstrumentedSessionStore();
    const app = await boot({ store, cleanupInterval: false });
    const dead = new SessionRecord('d', '2025-11-25', 60_000);
    dead.expiresAt = new Date(Date.now() - 1);
    await store.save(dead);
    expect(await app.get(SessionCleanupService).sweep()).toBe(1);
    await app.close();
  });
});
