import type { INestApplication, Type } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { SessionCleanupService, SessionRecord, SessionStore } from '../../lib';
import { readmeBlocks } from '../support/readme-blocks';
import { eventually } from '../support/wait';
import { closedPort } from './health.apps';

// The README's "Health" and "Metrics" files, run as written there: transpiled
// into a fresh project whose import of `nestjs-mcp-session` is lib/.

const LIB = join(__dirname, '..', '..', 'lib');
const FILES = ['health.controller.ts', 'health.module.ts', 'metrics.ts'];

let dir: string;

function load<T>(file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(dir, file.replace(/\.ts$/, '.js'))) as T;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'readme-health-'));
  symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const file of FILES) {
    const block = readmeBlocks().find((b) => b.lang === 'ts' && b.file === file);
    if (!block) throw new Error(`README.md has no ${file} block`);
    const { outputText } = ts.transpileModule(block.code, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
      },
    });
    const js = outputText.replaceAll(
      'require("nestjs-mcp-session")',
      `require(${JSON.stringify(LIB)})`,
    );
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), js);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('README: Health and Metrics, as written', () => {
  let app: INestApplication;
  let exporter: { shutdown(): Promise<void> };

  afterAll(async () => {
    await app?.close();
    await exporter?.shutdown();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('@opentelemetry/api') as typeof import('@opentelemetry/api')).metrics.disable();
  });

  it('serves GET /health and the Prometheus metrics of the session module', async () => {
    const port = await closedPort();
    const { startMetrics } = load<{ startMetrics(port?: number): typeof exporter }>('metrics.ts');
    exporter = startMetrics(port);
    const { HealthModule } = load<{ HealthModule: Type }>('health.module.ts');
    const moduleRef = await Test.createTestingModule({ imports: [HealthModule] }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const store = app.get(SessionStore);
    await store.create(new SessionRecord('readme-1', '2025-11-25', 60_000));
    const expired = new SessionRecord('readme-2', '2025-11-25', 60_000);
    expired.expiresAt = new Date(Date.now() - 1);
    await store.save(expired);
    expect(await app.get(SessionCleanupService).sweep()).toBe(1);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      info: { mcp_session: { status: 'up', sessions: 1 } },
    });

    let scrape = '';
    await eventually('the exporter to serve /metrics', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      scrape = await res.text();
      return res.ok;
    });
    const scope = 'otel_scope_name="nestjs-mcp-session"';
    expect(scrape).toContain(`\nmcp_session_live{${scope}} 1\n`);
    expect(scrape).toContain(`\nmcp_session_expired_total{${scope}} 1\n`);
    expect(scrape).toContain(
      `\nmcp_session_store_duration_count{mcp_session_store_operation="load",${scope}} 1\n`,
    );
    expect(scrape).toMatch(
      /\nmcp_session_store_duration_bucket\{mcp_session_store_operation="cleanupExpired",otel_scope_name="nestjs-mcp-session",le="0\.001"\} \d+\n/,
    );
    expect(scrape).not.toContain('readme-');
  });
});
