import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { SessionRecord } from '../contract/session-record';
import type { SessionStore } from '../contract/session-store';

/**
 * The principal of a request (for example the `sub` of a token a guard has
 * already verified), or `undefined` for an anonymous request. Called with the
 * framework's request object (Express `Request` or Fastify `FastifyRequest`).
 */
export type McpSessionOwnerResolver = (request: never) => string | undefined;

/**
 * What `McpSessionTransports` needs of an MCP server: the SDK's `McpServer`
 * and its low-level `Server` both fit.
 */
export interface McpSessionServer {
  connect(transport: WebStandardStreamableHTTPServerTransport): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the MCP server of one session (the SDK needs one server per
 * transport). Called on `initialize` and again when another instance or a
 * restarted process picks the session up.
 */
export type McpSessionServerFactory = (
  record: SessionRecord,
) => McpSessionServer | Promise<McpSessionServer>;

/**
 * A provider that builds session servers, registered anywhere in the app
 * under the `MCP_SERVER_FACTORY` token; use it when the server needs
 * injected services (the `createServer` option cannot inject them).
 */
export interface McpServerFactory {
  createServer(record: SessionRecord): McpSessionServer | Promise<McpSessionServer>;
}

/**
 * Options passed through to every `WebStandardStreamableHTTPServerTransport`
 * that `McpSessionTransports` creates (DNS-rebinding protection, JSON
 * responses instead of SSE, resumability).
 */
export interface McpSessionTransportOptions {
  /** Host header values accepted when `enableDnsRebindingProtection` is on. */
  allowedHosts?: string[];
  /** Origin header values accepted when `enableDnsRebindingProtection` is on. */
  allowedOrigins?: string[];
  /** Check Host and Origin against the lists above. Default false. */
  enableDnsRebindingProtection?: boolean;
  /** Answer POSTs with plain JSON instead of an SSE stream. Default false. */
  enableJsonResponse?: boolean;
  /** SSE `retry` interval (ms) sent to clients that can resume streams. */
  retryInterval?: number;
}

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
  /**
   * Binds sessions to principals: a session created by a request whose owner
   * is `"alice"` is only served to requests whose owner is `"alice"`; any
   * other request gets the same 404 as an unknown session. Must be
   * synchronous and cheap: it runs on every request that carries a session.
   */
  resolveOwner?: McpSessionOwnerResolver;
  /**
   * One fresh MCP server per session, for `McpSessionTransports` (or register
   * an `McpServerFactory` provider as `MCP_SERVER_FACTORY`).
   */
  createServer?: McpSessionServerFactory;
  /** Passed to every transport `McpSessionTransports` creates. */
  transport?: McpSessionTransportOptions;
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
  resolveOwner?: McpSessionOwnerResolver;
  createServer?: McpSessionServerFactory;
  transport?: McpSessionTransportOptions;
}

/** A class that `forRootAsync({ useClass })` instantiates to get the options. */
export interface McpSessionOptionsFactory {
  createMcpSessionOptions(): McpSessionModuleOptions | Promise<McpSessionModuleOptions>;
}
