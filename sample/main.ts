import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sampleMode } from './mcp-server.factory';
import { SampleModule } from './sample.module';
import { sampleSessionOptions } from './session-options';

async function bootstrap(): Promise<void> {
  const options = await sampleSessionOptions();
  const app = await NestFactory.create(SampleModule.register(options));
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const store = process.env.REDIS_URL ? 'caching store over Redis' : 'memory store';
  new Logger('Sample').log(
    `MCP server (${sampleMode()} mode, ${store}) listening: connect to http://localhost:${port}/mcp`,
  );
}

void bootstrap();
