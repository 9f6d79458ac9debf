import { installInMemoryMetrics } from './metric-reader';
import { connect, Router } from '../support/mcp-client';

type Lib = typeof import('../../lib');
type Metrics = typeof import('../../lib/metrics/mcp-session.metrics');
type Sample = typeof import('../../sample/sample.module');
type HttpApp = typeof import('../support/http-app');

const missing = (name: string) => () => {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};

/**
 * `@opentelemetry/api` is an optional peer: without it the package loads,
 * serves sessions and records nothing (here an SDK meter provider is
 * registered, so anything recorded would show).
 */
describe('without @opentelemetry/api installed', () => {
  it('loads, serves sessions and records nothing', async () => {
    const otel = installInMemoryMetrics();
    let lib!: Lib;
    let metrics!: Metrics;
    let sample!: Sample;
    let http!: HttpApp;
    jest.isolateModules(() => {
      jest.doMock('@opentelemetry/api', missing('@opentelemetry/api'));
      /* eslint-disable @typescript-eslint/no-require-imports */
      lib = require('../../lib') as Lib;
      metrics = require('../../lib/metrics/mcp-session.metrics') as Metrics;
      sample = require('../../sample/sample.module') as Sample;
      http = require('../support/http-app') as HttpApp;
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    const app = await http.listen(
      'express',
      sample.SampleModule.register({ store: new lib.MemorySessionStore() }),
    );
    try {
      const client = await connect(new Router(app.url));
      await client.client.listTools();
      await client.transport.terminateSession();
      await client.close();
      expect(await app.app.get(lib.SessionCleanupService).sweep()).toBe(0);
      metrics.sessionMetrics.routed('request');
      metrics.sessionMetrics.rejected(404);
      expect(metrics.sessionMetrics.start()).toBe(-1);
      expect([...(await otel.collect()).byName.keys()]).toEqual([]);
    } finally {
      await app.close();
      await otel.shutdown();
      jest.dontMock('@opentelemetry/api');
    }
  });
});
