import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';

type Lib = typeof import('../../lib');
type HttpApp = typeof import('../support/http-app');
type Testing = typeof import('@nestjs/testing');

/** terminus 10 exports `HealthCheckError` and no `HealthIndicatorService`. */
class Terminus10HealthCheckError extends Error {
  readonly isHealthCheckError = true;
  constructor(
    message: string,
    readonly causes: unknown,
  ) {
    super(message);
  }
}

/** The package (and Nest, from the same module registry) with `terminus` as `@nestjs/terminus`. */
function isolatedLib(terminus: () => unknown): { lib: Lib; http: HttpApp; testing: Testing } {
  let lib!: Lib;
  let http!: HttpApp;
  let testing!: Testing;
  jest.isolateModules(() => {
    jest.doMock('@nestjs/terminus', terminus);
    /* eslint-disable @typescript-eslint/no-require-imports */
    lib = require('../../lib') as Lib;
    http = require('../support/http-app') as HttpApp;
    testing = require('@nestjs/testing') as Testing;
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return { lib, http, testing };
}

async function indicatorOf(
  { lib, testing }: { lib: Lib; testing: Testing },
  store: InstrumentedSessionStore,
) {
  const moduleRef = await testing.Test.createTestingModule({
    imports: [lib.McpSessionModule.forRoot({ store, cleanupInterval: false })],
  }).compile();
  moduleRef.useLogger(false);
  return {
    indicator: moduleRef.get(lib.McpSessionHealthIndicator),
    close: () => moduleRef.close(),
  };
}

describe('McpSessionHealthIndicator across @nestjs/terminus versions', () => {
  afterEach(() => {
    jest.dontMock('@nestjs/terminus');
    jest.resetModules();
  });

  it('without terminus installed: the package loads and serves; the indicator returns its results', async () => {
    const { lib, http } = isolatedLib(() => {
      throw Object.assign(new Error("Cannot find module '@nestjs/terminus'"), {
        code: 'MODULE_NOT_FOUND',
      });
    });
    @Controller('plain')
    @UseInterceptors(lib.McpSessionInterceptor)
    class PlainController {
      @Get()
      get() {
        return { ok: true };
      }
    }
    const store = new InstrumentedSessionStore();
    const app = await http.bootApp('express', { store }, [PlainController]);
    try {
      expect((await fetch(`${app.url}/plain`)).status).toBe(200);
      const indicator = app.app.get(lib.McpSessionHealthIndicator);
      expect(await indicator.isHealthy()).toEqual({
        mcp_session: { status: 'up', sessions: 0, roundTripMs: expect.any(Number) },
      });
      store.down(true);
      expect(await indicator.isHealthy()).toEqual({
        mcp_session: { status: 'down', message: expect.stringContaining('backend unreachable') },
      });
    } finally {
      await app.close();
    }
  });

  it('on terminus 10: down is a thrown HealthCheckError carrying the result', async () => {
    const isolated = isolatedLib(() => ({ HealthCheckError: Terminus10HealthCheckError }));
    const store = new InstrumentedSessionStore();
    const { indicator, close } = await indicatorOf(isolated, store);
    try {
      expect(await indicator.isHealthy('sessions')).toMatchObject({ sessions: { status: 'up' } });
      store.down(true);
      const error = await indicator.isHealthy('sessions').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Terminus10HealthCheckError);
      expect((error as Terminus10HealthCheckError).causes).toEqual({
        sessions: { status: 'down', message: expect.stringContaining('backend unreachable') },
      });
    } finally {
      await close();
    }
  });

  it('on terminus 11 (installed): down is returned as a result', async () => {
    const isolated = isolatedLib(() => jest.requireActual('@nestjs/terminus'));
    const store = new InstrumentedSessionStore();
    const { indicator, close } = await indicatorOf(isolated, store);
    try {
      store.down(true);
      expect(await indicator.isHealthy()).toEqual({
        mcp_session: { status: 'down', message: expect.stringContaining('backend unreachable') },
      });
    } finally {
      await close();
    }
  });
});
