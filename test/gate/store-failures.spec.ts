import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { McpSessionModule, type McpSessionModuleOptions, SessionStoreError } from '../../lib';
import { SampleModule } from '../../sample/sample.module';
import { listen, PLATFORMS, type Platform, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { eventually } from '../support/wait';
import { initialize, INITIALIZE, post, toolsList } from './gate-http.helpers';

describe.each(PLATFORMS)('Store failures over HTTP on %s', (platform: Platform) => {
  let store: InstrumentedSessionStore;
  const apps: TestApp[] = [];

  async function boot(options: McpSessionModuleOptions = {}): Promise<TestApp> {
    const app = await listen(
      platform,
      SampleModule.register({ store, cleanupInterval: false, ...options }),
    );
    apps.push(app);
    return app;
  }

  beforeEach(() => {
    store = new InstrumentedSessionStore();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    jest.restoreAllMocks();
  });

  it("an initialize the store cannot encode is the client's error: 400 with JSON-RPC -32602, no ERROR log", async () => {
    const app = await boot();
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    store.failing.add('create');
    store.error = new SessionStoreError(
      'encode',
      'record of 91234 bytes is over maxRecordBytes (65536)',
    );
    const answer = await post(app.url, INITIALIZE);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32602,
        message:
          'Invalid params: the session cannot be stored (record of 91234 bytes is over maxRecordBytes (65536))',
      },
      id: null,
    });
    expect(error).not.toHaveBeenCalled();
    expect(await store.inner.count!()).toBe(0);
  });

  it('a stored value that cannot be read answers 404 (the client starts a new session), not 503', async () => {
    const app = await boot();
    const id = await initialize(app.url);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    store.failing.add('touch');
    store.error = new SessionStoreError('decode', `stored session ${id} is not a record`);
    expect((await toolsList(app.url, id)).status).toBe(404);
  });

  it('an unreachable store answers 503 with Retry-After', async () => {
    const app = await boot();
    const id = await initialize(app.url);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.down(true);
    const answer = await toolsList(app.url, id);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toMatchObject({ error: { code: -32000 } });
  });

  it('after `threshold` failures the breaker answers 503 at once, without asking the store', async () => {
    const app = await boot({ storeBreaker: { threshold: 2, cooldown: 3_600_000 } });
    const id = await initialize(app.url);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.down(true);
    await toolsList(app.url, id);
    await toolsList(app.url, id);
    const asked = store.total;
    for (let i = 0; i < 5; i++) {
      const answer = await toolsList(app.url, id);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
    }
    expect((await post(app.url, INITIALIZE)).status).toBe(503);
    expect(store.total).toBe(asked);
  });

  it('the first success after the cooldown closes the breaker', async () => {
    const app = await boot({ storeBreaker: { threshold: 1, cooldown: 1 } });
    const id = await initialize(app.url);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.down(true);
    expect((await toolsList(app.url, id)).status).toBe(503);
    store.down(false);
    await eventually(
      'a request served again',
      async () => (await toolsList(app.url, id)).status === 200,
    );
    expect((await toolsList(app.url, id)).status).toBe(200);
  });

  it('storeBreaker: false never fails a call without asking the store', async () => {
    const app = await boot({ storeBreaker: false });
    const id = await initialize(app.url);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.down(true);
    const before = store.calls.touch;
    for (let i = 0; i < 5; i++) await toolsList(app.url, id);
    expect(store.calls.touch - before).toBe(5);
  });
});

describe('resolveOwner that is not synchronous', () => {
  it('an async resolveOwner is refused at boot, saying why', async () => {
    const resolveOwner = async () => 'alice';
    await expect(
      Test.createTestingModule({
        imports: [McpSessionModule.forRoot({ resolveOwner: resolveOwner as never })],
      }).compile(),
    ).rejects.toThrow(/"resolveOwner" must return the principal synchronously/);
  });

  it('a resolveOwner that returns a promise is refused on use: 500, logged once', async () => {
    const store = new InstrumentedSessionStore();
    const app = await listen(
      'express',
      SampleModule.register({
        store,
        cleanupInterval: false,
        resolveOwner: (() => Promise.resolve('alice')) as never,
      }),
    );
    try {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      for (let i = 0; i < 2; i++) {
        const answer = await post(app.url, INITIALIZE);
        expect(answer.status).toBe(500);
      }
      const lines = error.mock.calls
        .map(([line]) => String(line))
        .filter((line) => line.includes('resolveOwner'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('got a Promise');
      expect(store.calls.create).toBe(0);
    } finally {
      await app.close();
      jest.restoreAllMocks();
    }
  });
});
