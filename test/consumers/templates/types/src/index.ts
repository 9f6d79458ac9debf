import {
  CachingSessionStore,
  McpSessionModule,
  McpSessionTransports,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
  type McpSessionModuleOptions,
  type RedisClient,
  type SessionStore,
} from 'nestjs-mcp-session';
import * as testing from 'nestjs-mcp-session/testing';

/** Uses the main entry and ./testing, so that every public declaration is checked. */
const options: McpSessionModuleOptions = { store: new MemorySessionStore(), ttl: 60_000 };
export const dynamicModule = McpSessionModule.forRoot(options);
export const connectLater = (url: string): SessionStore => RedisSessionStore.fromUrl(url);
export type Public = [
  RedisClient,
  CachingSessionStore,
  RedisInvalidationChannel,
  McpSessionTransports,
  typeof testing,
];
