import type { Provider } from '@nestjs/common';
import type {
  McpSessionModuleOptions,
  McpSessionOptions,
} from './interfaces/mcp-session-options.interface';
import {
  DEFAULT_CLEANUP_INTERVAL,
  DEFAULT_SESSION_TTL,
  MCP_EVENT_BUS,
  MCP_SESSION_OPTIONS,
} from './mcp-session.constants';
import { MCP_SESSION_MODULE_OPTIONS } from './mcp-session.module-definition';
import { resolveEraOptions } from './mcp-session.era-options';
import { resolveLimitOptions } from './mcp-session.limit-options';
import { checkMilliseconds, InvalidOptionError, invalidOption } from './contract/option-checks';
import { SessionStore } from './contract/session-store';
import { MemorySessionStore } from './stores/memory/memory-session.store';

const REQUIRED_STORE_METHODS = ['create', 'save', 'load', 'delete'] as const;

const OWNER = 'McpSessionModule';

/**
 * Applies defaults and checks the options, for `forRoot` and every
 * `forRootAsync` form alike.
 * @throws InvalidOptionError naming the option when one is invalid.
 */
export function resolveMcpSessionOptions(raw: McpSessionModuleOptions = {}): McpSessionOptions {
  if (raw === null || typeof raw !== 'object') {
    throw new InvalidOptionError(
      'options',
      `${OWNER}: options must be an object, got ${String(raw)}`,
    );
  }
  const ttl = checkMilliseconds(raw.ttl ?? DEFAULT_SESSION_TTL, 'ttl', { owner: OWNER });
  const interval = raw.cleanupInterval ?? DEFAULT_CLEANUP_INTERVAL;
  if (interval !== false) {
    checkMilliseconds(interval, 'cleanupInterval', { owner: OWNER, zero: true, orElse: 'false' });
  }

  const store = raw.store ?? new MemorySessionStore();
  const missing = REQUIRED_STORE_METHODS.filter(
    (method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function',
  );
  if (typeof store !== 'object' || store === null || missing.length > 0) {
    throw new InvalidOptionError(
      'store',
      `${OWNER}: option "store" must be a SessionStore with create, save, load and delete methods (missing: ${missing.join(', ')})`,
    );
  }

  const resolved: McpSessionOptions = {
    store,
    ttl,
    cleanupInterval: interval === 0 ? false : interval,
    ...resolveEraOptions(raw, store),
    ...resolveLimitOptions(raw, store),
  };
  for (const name of ['resolveOwner', 'createServer'] as const) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value !== 'function') {
      throw invalidOption(OWNER, name, 'a function', typeof value);
    }
    (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  if (raw.transport !== undefined) {
    if (raw.transport === null || typeof raw.transport !== 'object') {
      throw invalidOption(OWNER, 'transport', 'an object', raw.transport);
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

/** The event bus of `subscriptions/listen` streams, as a provider so that Nest closes it. */
export const eventBusProvider: Provider = {
  provide: MCP_EVENT_BUS,
  useFactory: (options: McpSessionOptions) => options.eventBus,
  inject: [MCP_SESSION_OPTIONS],
};

/** DI token of the resolved session message bus (registered so that its shutdown hook runs). */
export const MCP_MESSAGE_BUS = Symbol('MCP_MESSAGE_BUS');
/** DI token of the configured event store, or `null` (registered so that its shutdown hook runs). */
export const MCP_EVENT_STORE = Symbol('MCP_EVENT_STORE');

/** The session message bus (`messageBus` option or the default `MemorySessionMessageBus`). */
export const messageBusProvider: Provider = {
  provide: MCP_MESSAGE_BUS,
  useFactory: (options: McpSessionOptions) => options.messageBus,
  inject: [MCP_SESSION_OPTIONS],
};

/** The `eventStore` option, when there is one. */
export const eventStoreProvider: Provider = {
  provide: MCP_EVENT_STORE,
  useFactory: (options: McpSessionOptions) => options.eventStore ?? null,
  inject: [MCP_SESSION_OPTIONS],
};
