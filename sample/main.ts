import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PostgresSessionStore } from '../lib';
import { sampleMode } from './mcp-server.factory';
import { SampleModule } from './sample.module';
import { sampleSessionOptions } from './session-options';

/** Creates the sessions table when `DATABASE_URL` selects PostgreSQL (idempotent). */
async function migrate(url: string | undefined): Promise<void> {
  if (!url || process.env.REDIS_URL) return;
  const store = PostgresSessionStore.fromUrl(url);
  try {
    await store.migrate();
  } finally {
    await store.onApplicationShutdown();
  }
}

async function bootstrap(): Promise<void> {
  await migrate(process.env.DATABASE_URL);
  const options = sampleSessionOptions();
  const app = await NestFactory.create(SampleModule.register(options));
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const store = process.env.REDIS_URL
    ? 'caching store over Redis'
    : process.env.DATABASE_URL
      ? 'caching store over PostgreSQL'
      : 'memory store';
  new Logger('Sample').log(
    `MCP server (${sampleMode()} mode, ${store}) listening: connect to http://localhost:${port}/mcp`,
  );
}

void bootstrap();
