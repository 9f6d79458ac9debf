// One instance of the fault suite: the sample MCP server over one Redis
// (caching store, invalidation channel, Redis event bus), with the limits
// the suite checks. Run by run-faults.ts as
//   node -r ./bench/register.js test/faults/fault-server.ts
// Environment: PORT, REDIS_URL, MCP_REQUEST_STATE_KEY, FAULT_MAX_LOCAL
// (maxLocalSessions), FAULT_PER_OWNER (sessionLimits.perOwner, owner from
// the x-user header), FAULT_CACHE_ENTRIES (the memory tier's maxEntries).
// Unhandled rejections and exceptions are counted, each printed on one line
// starting with FAULT-UNHANDLED, and the process keeps running.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import {
  CachingSessionStore,
  McpParseErrorFilter,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisServerEventBus,
  RedisSessionStore,
} from '../../lib';
import { SampleModule } from '../../sample/sample.module';

for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stdout.write(`FAULT-UNHANDLED ${event}: ${message.split('\n').join(' | ')}\n`);
  });
}

async function main(): Promise<void> {
  const env = process.env;
  const url = env.REDIS_URL!;
  const perOwner = Number(env.FAULT_PER_OWNER ?? 50);
  @Module({
    imports: [
      SampleModule.register({
        store: new CachingSessionStore(new MemorySessionStore(), RedisSessionStore.fromUrl(url), {
          channel: RedisInvalidationChannel.fromUrl(url),
          maxEntries: Number(env.FAULT_CACHE_ENTRIES ?? 1_000),
        }),
        eventBus: RedisServerEventBus.fromUrl(url),
        requestStateKey: env.MCP_REQUEST_STATE_KEY,
        cleanupInterval: 60_000,
        maxLocalSessions: Number(env.FAULT_MAX_LOCAL ?? 500),
        resolveOwner: (req: { headers: Record<string, string | string[] | undefined> }) => {
          const user = req.headers['x-user'];
          return typeof user === 'string' ? user : undefined;
        },
        sessionLimits: { perOwner, retryAfter: 5 },
      }),
    ],
    providers: [{ provide: APP_FILTER, useClass: McpParseErrorFilter }],
  })
  class FaultModule {}
  const app = await NestFactory.create(FaultModule, { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  await app.listen(Number(env.PORT), '127.0.0.1');
  new Logger('FaultServer').log(`listening on ${env.PORT} (pid ${process.pid})`);
}

void main();
