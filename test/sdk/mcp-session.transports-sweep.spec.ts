import { Test } from '@nestjs/testing';
import {
  McpSessionModule,
  McpSessionTransports,
  MemorySessionStore,
  SessionRecord,
} from '../../lib';
import { SampleModule } from '../../sample/sample.module';

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
    await app.init();
    return { app, store, transports: app.get(McpSessionTransports) };
  }

  it('sets no timer until a transport exists, then sweeps every cleanupInterval', async () => {
    const { app, store, transports } = await boot(1_000);
    jest.useFakeTimers();
    expect(jest.getTimerCount()).toBe(0);

    // A session another instance created: rebuilding it here starts the sweep.
    const record = new SessionRecord('elsewhere-1', '2025-11-25', 60_000);
    record.clientInfo = { name: 'c', version: '1' };
    await store.save(record);
    const sweep = jest.spyOn(transports, 'sweep');
    const builder = (
      transports as unknown as {
        builder: { restore(r: SessionRecord, q: object): Promise<unknown> };
      }
    ).builder;
    await builder.restore(record, { headers: { host: 'localhost' }, url: '/mcp' });
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(sweep).toHaveBeenCalledTimes(3);

    await app.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sweeps every minute when the store sweep is off', async () => {
    const { app, store, transports } = await boot(false);
    jest.useFakeTimers();
    await store.save(new SessionRecord('elsewhere-2', '2025-11-25', 60_000));
    const sweep = jest.spyOn(transports, 'sweep');
    const builder = (
      transports as unknown as {
        builder: { restore(r: SessionRecord, q: object): Promise<unknown> };
      }
    ).builder;
    await builder.restore((await store.load('elsewhere-2'))!, { headers: {}, url: '/mcp' });
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
