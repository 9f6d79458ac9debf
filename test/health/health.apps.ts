import { createServer } from 'node:net';
import type { McpSessionModuleOptions } from '../../lib';
import { SampleModule } from '../../sample/sample.module';
import { sampleSessionOptions } from '../../sample/session-options';
import { listen, type Platform, type TestApp } from '../support/http-app';

/** The sample's options with `REDIS_URL` (every host allowed, a shared request-state key). */
export function redisSampleOptions(url: string): McpSessionModuleOptions {
  return sampleSessionOptions({
    REDIS_URL: url,
    MCP_ALLOWED_HOSTS: '*',
    MCP_REQUEST_STATE_KEY: 'health-spec-request-state-key-0123456789',
  });
}

/** The sample app (its `/mcp`, `/session` and `/health`) with `options`, listening on a free port. */
export function bootSample(
  options: McpSessionModuleOptions,
  platform: Platform = 'express',
): Promise<TestApp> {
  return listen(platform, SampleModule.register(options));
}

/** `GET /health`: the status and the parsed body. */
export async function getHealth(url: string): Promise<{ status: number; body: HealthBody }> {
  const res = await fetch(`${url}/health`);
  return { status: res.status, body: (await res.json()) as HealthBody };
}

/** The body terminus answers on a health check. */
export interface HealthBody {
  status: string;
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, Record<string, unknown>>;
  details: Record<string, Record<string, unknown>>;
}

/** A loopback port that nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
