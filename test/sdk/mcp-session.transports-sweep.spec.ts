import { Test } from '@nestjs/testing';
import {
  McpSessionModule,
  McpSessionTransports,
  MemorySessionStore,
  SessionRecord,
} from '../../lib';
import { SampleModule } from '../../sample/sample.module';
import { rawCall } from '../support/mcp-client';

/** Fakes only the interval timers (the sweep's), so that real HTTP keeps working. */
function fakeIntervals(): void {
  jest.useFakeTimers({
    doNotFake: [
      'Date',
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/**
 * The transport sweep's schedule, on fake timers: it starts once the process
 * holds a transport, runs every cleanupInterval, and stops on app.close().
 */
describe('McpSessionTransports sweep schedule', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  async function boot(cleanupInterval: number | false) {
    const store = new MemorySessionStore();
    const moduleRef = await Test.createTestingModule({
      imports: [SampleModule.register({ store, cleanupInterval, ttl: 60_000 })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    return { app, store, url, transports: app.get(McpSessionTransports) };
  }

  it('sets no timer until a transport exists, then sweeps every cleanupInterval', async () => {
    const { app, store, url, transports } = await boot(1_000);
    fakeIntervals();
    expect(jest.getTimerCount()).toBe(0);

    // A session another instance created: rebuilding it here starts the sweep.
    const record = new SessionRecord('elsewhere-1', '2025-11-25', 60_000);
    record.clientInfo = { name: 'c', version: '1' };
    await store.save(record);
    const sweep = jest.spyOn(transports, 'sweep');
    expect((await rawCall(url, 'elsewhere-1')).status).toBe(200);
    expect(transports.size).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(sweep).toHaveBeenCalledTimes(3);

    await app.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sweeps every minute when the store sweep is off', async () => {
    const { app, store, url, transports } = await boot(false);
    fakeIntervals();
    await store.save(new SessionRecord('elsewhere-2', '2025-11-25', 60_000));
    const sweep = jest.spyOn(transports, 'sweep');
    expect((await rawCall(url, 'elsewhere-2')).status).toBe(200);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(sweep).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(sweep).toHaveBeenCalledTimes(1);
    await app.close();
  });

  it('has no effect on apps that never use the transports', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [McpSessionModule.forRoot({ cleanupInterval: false })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    jest.useFakeTimers();
    await app.init();
    expect(jest.getTimerCount()).toBe(0);
    await app.close();
  });
});
