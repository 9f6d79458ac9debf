import {
  McpSessionModule,
  MCP_SESSION_OPTIONS,
  MemorySessionStore,
  SessionStore,
  SessionStoreError,
  type McpSessionModuleOptions,
} from 'nestjs-mcp-session';
import { sessionStoreContract } from 'nestjs-mcp-session/testing';

/** The same surface from an ES module: the "import" condition's types (dist/esm/*.d.mts). */
const options: McpSessionModuleOptions = { store: new MemorySessionStore(), ttl: 60_000 };
export const esmModule = McpSessionModule.forRoot(options);
export const token: symbol = MCP_SESSION_OPTIONS;
export const isStoreError = (error: unknown): error is SessionStoreError =>
  error instanceof SessionStoreError;
export type EsmPublic = [SessionStore, typeof sessionStoreContract];
