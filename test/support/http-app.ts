import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { McpSessionModule, type McpSessionModuleOptions } from '../../lib';

/** The HTTP platforms every HTTP spec runs on (`describe.each`). */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A Nest application listening on a free loopback port. */
export interface TestApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Boots `McpSessionModule.forRoot(options)` with `controllers` (and any extra
 * providers) on Express or Fastify and listens on port 0.
 */
export async function bootApp(
  platform: Platform,
  options: McpSessionModuleOptions & { globalInterceptor?: boolean },
  controllers: Type[],
  providers: Type[] = [],
): Promise<TestApp> {
  @Module({
    imports: [McpSessionModule.forRoot(options)],
    controllers,
    providers,
  })
  class HttpTestModule {}
  return listen(platform, HttpTestModule);
}

/** Boots `root` (a module class or dynamic module) on Express or Fastify, listening on port 0. */
export async function listen(platform: Platform, root: Type | DynamicModule): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
  const app = moduleRef.createNestApplication(
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
