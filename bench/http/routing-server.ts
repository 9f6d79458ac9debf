import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { McpServer } from '@modelcontextprotocol/server';
import Redis from 'ioredis';
import { z } from 'zod';
import { McpSessionModule } from '../../lib/mcp-session.module';
import { RedisEventStore } from '../../lib/stores/redis/redis-event-store';
import { RedisSessionMessageBus } from '../../lib/stores/redis/redis-session-message-bus';
import { RedisSessionStore } from '../../lib/stores/redis/redis-session.store';
import { McpController } from '../../sample/mcp.controller';
import { BENCH_REDIS_OPTIONS } from '../support/redis';

const text = (value: unknown) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(value) }],
});

/** The bench server of one instance: `sample` asks the client, `whoami` does nothing, `burst` notifies `n` times. */
function createServer() {
  const server = new McpServer(
    { name: 'routing-bench', version: '1.0.0' },
    { capabilities: { resources: { subscribe: true } } },
  );
  server.registerTool('sample', { description: 'One sampling round trip.' }, async (ctx) => {
    const params = {
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'Hi?' } }],
      maxTokens: 5,
    };
    const answer = await server.server.createMessage(params, { relatedRequestId: ctx.mcpReq.id });
    return text({ sampled: answer.model });
  });
  server.registerTool('whoami', { description: 'The cheapest call.' }, async () =>
    text({ pid: process.pid }),
  );
  server.registerTool(
    'burst',
    {
      description: 'Sends n resource updates on the standalone stream.',
      inputSchema: z.object({ n: z.number() }),
    },
    async ({ n }) => {
      for (let i = 0; i < n; i++)
        await server.server.sendResourceUpdated({ uri: `bench://r/${i}` });
      return text({ sent: n });
    },
  );
  return server;
}

/** Counts the calls made to each method of `store` (what a restore costs the store, in its own words). */
function counted<T extends object>(store: T, calls: Record<string, number>): T {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * One instance of the routing bench in a process of its own:
 * `routing-server.ts <redisPort>`: a Redis store, a Redis session message bus
 * and a Redis event store, each on the same connection. Reports `{ port }`
 * over IPC once it listens, and `{ storeCalls }` (calls by store method so
 * far) when asked with `store-calls`.
 */
async function main(): Promise<void> {
  const client = new Redis(Number(process.argv[2]), '127.0.0.1');
  const storeCalls: Record<string, number> = {};
  @Module({
    imports: [
      McpSessionModule.forRoot({
        store: counted(new RedisSessionStore(client, BENCH_REDIS_OPTIONS), storeCalls),
        messageBus: new RedisSessionMessageBus(client),
        eventStore: new RedisEventStore(client as never, { commandTimeout: 10_000 }),
        cleanupInterval: false,
        requestStateKey: 'routing-bench-request-state-key-0123456789',
        createServer: () => createServer(),
      }),
    ],
    controllers: [McpController],
  })
  class RoutingBenchModule {}
  const app = await NestFactory.create(RoutingBenchModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  process.on('message', (message: unknown) => {
    if (message === 'store-calls') process.send!({ storeCalls });
  });
  process.send!({ port: (app.getHttpServer().address() as { port: number }).port });
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
}

void main();
