import type { Provider } from '@nestjs/common';
import type {
  McpSessionModuleOptions,
  McpSessionOptions,
} from './interfaces/mcp-session-options.interface';
import {
  DEFAULT_CLEANUP_INTERVAL,
  DEFAULT_SESSION_TTL,
  MCP_SESSION_OPTIONS,
} from './mcp-session.constants';
import { MCP_SESSION_MODULE_OPTIONS } from './mcp-session.module-definition';
import { SessionStore } from './contract/session-store';
import { MemorySessionStore } from './stores/memory/memory-session.store';

const REQUIRED_STORE_METHODS = ['create', 'save', 'load', 'delete'] as const;

function invalid(option: string, problem: string): Error {
  return new Error(`McpSessionModule: option "${option}" ${problem}`);
}

/**
 * Applies defaults and checks the options, for `forRoot` and every
 * `forRootAsync` form alike.
 * @throws Error naming the option when one is invalid.
 */
export function resolveMcpSessionOptions(raw: McpSessionModuleOptions = {}): McpSessionOptions {
  if (raw === null || typeof raw !== 'object') {
    throw new Error(`McpSessionModule: options must be an object, got ${String(raw)}`);
  }
  const ttl = raw.ttl ?? DEFAULT_SESSION_TTL;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw invalid('ttl', `must be a positive number of milliseconds, got ${String(raw.ttl)}`);
  }

  const interval = raw.cleanupInterval ?? DEFAULT_CLEANUP_INTERVAL;
  if (
    interval !== false &&
    (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0)
  ) {
    throw invalid(
      'cleanupInterval',
      `must be a positive number of milliseconds, 0 or false, got ${String(raw.cleanupInterval)}`,
    );
  }

  const store = raw.store ?? new MemorySessionStore();
  const missing = REQUIRED_STORE_METHODS.filter(
    (method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function',
  );
  if (typeof store !== 'object' || store === null || missing.length > 0) {
    throw invalid(
      'store',
      `must be a SessionStore with create, save, load and delete methods (missing: ${missing.join(', ')})`,
    );
  }

  const resolved: McpSessionOptions = {
    store,
    ttl,
    cleanupInterval: interval === 0 ? false : interval,
  };
  for (const name of ['resolveOwner', 'createServer'] as const) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value !== 'function') {
      throw invalid(name, `must be a function, got ${typeof value}`);
    }
    (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  if (raw.transport !== undefined) {
    if (raw.transport === null || typeof raw.transport !== 'object') {
      throw invalid('transport', `must be an object, got ${String(raw.transport)}`);
    }
    resolved.transport = raw.transport;
  }
  return resolved;
}

/** The resolved options, built from whatever `forRoot`/`forRootAsync` supplied. */
export const mcpSessionOptionsProvider: Provider = {
  provide: MCP_SESSION_OPTIONS,
  useFactory: resolveMcpSessionOptions,
  inject: [MCP_SESSION_MODULE_OPTIONS],
};

/** The configured store under its contract's token. */
export const sessionStoreProvider: Provider = {
  provide: SessionStore,
  useFactory: (options: McpSessionOptions) => options.store,
  inject: [MCP_SESSION_OPTIONS],
};
