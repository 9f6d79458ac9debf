import type { SessionStore } from '../session-store';

/** Options of `McpSessionModule.forRoot()` and of the `forRootAsync()` factories. */
export interface McpSessionModuleOptions {
  /** Where sessions live. Default: a new `MemorySessionStore`. */
  store?: SessionStore;
  /** How long a session lives after its last request, in ms. Default 30 minutes. */
  ttl?: number;
  /**
   * How often expired records are swept, in ms. `false` or `0` turns the
   * sweep off (stores with native expiry, like Redis, need it only to trim
   * their index). Default 60 000.
   */
  cleanupInterval?: number | false;
}

/**
 * The options after defaults and validation, as injected through
 * `MCP_SESSION_OPTIONS`.
 */
export interface McpSessionOptions {
  store: SessionStore;
  ttl: number;
  /** `false` when the sweep is off. */
  cleanupInterval: number | false;
}

/** A class that `forRootAsync({ useClass })` instantiates to get the options. */
export interface McpSessionOptionsFactory {
  createMcpSessionOptions(): McpSessionModuleOptions | Promise<McpSessionModuleOptions>;
}
