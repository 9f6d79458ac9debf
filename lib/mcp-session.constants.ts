/** DI token of the resolved {@link McpSessionOptions} (defaults applied). */
export const MCP_SESSION_OPTIONS = Symbol('MCP_SESSION_OPTIONS');

/** Default session time to live: 30 minutes. */
export const DEFAULT_SESSION_TTL = 30 * 60 * 1000;

/** Default interval of the expired-session sweep: one minute. */
export const DEFAULT_CLEANUP_INTERVAL = 60 * 1000;

/**
 * DI token of an app-wide `McpServerFactory` provider, for server factories
 * that need injected services (the `createServer` option wins when both are
 * given): `{ provide: MCP_SERVER_FACTORY, useClass: MyServerFactory }`.
 */
export const MCP_SERVER_FACTORY = Symbol('MCP_SERVER_FACTORY');

/**
 * DI token of the resolved event bus (`eventBus` option or the default
 * `MemoryServerEventBus`); registered so that its shutdown hook runs.
 */
export const MCP_EVENT_BUS = Symbol('MCP_EVENT_BUS');
