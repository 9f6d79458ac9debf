import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';

/** Boots on a free port, prints it, and closes on SIGTERM (shutdown hooks). */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(`listening on ${port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
