import 'reflect-metadata';
import { type DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import type { SessionStore } from '../../lib/contract/session-store';
import { CachingSessionStore } from '../../lib/stores/caching/caching-session.store';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { RedisInvalidationChannel } from '../../lib/stores/redis/redis-invalidation.channel';
import { RedisSessionStore } from '../../lib/stores/redis/redis-session.store';
import { BENCH_REDIS_OPTIONS } from '../support/redis';
import { BenchHttpModule } from './apps';
import { BenchModernModule } from './modern-apps';
import { plainRekog, sessionRekog, type RekogApp } from './rekog-apps';

/**
 * One bench app in a process of its own (so that the load generator does not
 * share its event loop): `server.ts <mode> [redisPort]`, where mode is a key
 * of `modules` below (`caching` and `transports-caching` use the Redis at
 * `redisPort`).
 * Reports `{ port }` to the parent over IPC once it listens.
 */
async function main(): Promise<void> {
  const [mode, redisPort] = process.argv.slice(2);
  let store: SessionStore | undefined;
  if (mode === 'memory' || mode === 'interceptor' || mode === 'transports')
    store = new MemorySessionStore();
  if (mode === 'caching' || mode === 'transports-caching') {
    const client = new Redis(Number(redisPort), '127.0.0.1');
    store = new CachingSessionStore(
      new MemorySessionStore(),
      new RedisSessionStore(client, BENCH_REDIS_OPTIONS),
      {
        channel: new RedisInvalidationChannel(client),
      },
    );
  }
  const rekog: Record<string, () => RekogApp> = {
    'rekog-stateful': () => plainRekog(true),
    'rekog-stateless': () => plainRekog(false),
    'rekog-ours': () => sessionRekog(),
  };
  const storeless = ['plain', 'noop', 'modern-bare', 'modern-ours', 'legacy-sdk', 'legacy-ours'];
  if (!storeless.includes(mode) && !(mode in rekog) && !store)
    throw new Error(`bench server: unknown mode ${mode}`);
  const modules: Record<string, () => DynamicModule> = {
    plain: () => BenchHttpModule.plain(),
    noop: () => BenchHttpModule.noopInterceptor(),
    interceptor: () => BenchHttpModule.interceptorOnly(store!),
    transports: () => BenchHttpModule.transportsOnly(store!),
    'transports-caching': () => BenchHttpModule.transportsOnly(store!),
    memory: () => BenchHttpModule.withStore(store!),
    caching: () => BenchHttpModule.withStore(store!),
    'modern-bare': () => BenchModernModule.bare(),
    'modern-ours': () => BenchModernModule.ours(),
    'legacy-sdk': () => BenchModernModule.sdkSessions(),
    'legacy-ours': () => BenchModernModule.ours(true),
  };
  const withStrategy = rekog[mode]?.();
  const module = withStrategy?.module ?? modules[mode]();
  const app = await NestFactory.create(module, { logger: ['error', 'warn'] });
  if (withStrategy) {
    // rekog serves MCP as a Nest microservice strategy, started before the app listens.
    app.connectMicroservice({ strategy: withStrategy.strategy });
    await app.startAllMicroservices();
  }
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  // CPU per request is the figure least disturbed by a busy machine: the
  // parent asks for these counters before and after each round.
  let requests = 0;
  app.getHttpServer().on('request', () => requests++);
  process.on('message', (message: unknown) => {
    if (message !== 'stats') return;
    const { user, system } = process.cpuUsage();
    process.send!({ stats: { cpuMicros: user + system, requests } });
  });
  process.send!({ port: address.port });
  process.on('disconnect', () => {
    void app.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  new Logger('bench-server').error(error);
  process.exit(1);
});
