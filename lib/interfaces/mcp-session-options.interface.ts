import type { SessionStore } from '../contract/session-store';
import type { McpSessionLimits, StoreBreakerOptions } from './mcp-session-limits.interface';
import type { McpAuthInfo, McpServerContext } from './mcp-server-context.interface';
import type { McpServerEventBus } from './server-event-bus.interface';
import type { McpEventStore } from './session-event-store.interface';
import type { McpSessionMessageBus } from './session-message-bus.interface';

/**
 * The principal of a request (for example the `sub` of a token a guard has
 * already verified), or `undefined` for an anonymous request. Called with the
 * framework's request object (Express `Request` or Fastify `FastifyRequest`).
 */
export type McpSessionOwnerResolver = (request: never) => string | undefined;

/**
 * What `McpSessionTransports` needs of an MCP server: the `McpServer` or the
 * low-level `Server` of either SDK line (`@modelcontextprotocol/server` 2.x,
 * which serves both protocol eras, or `@modelcontextprotocol/sdk` 1.x, which
 * serves 2025-era sessions only).
 */
export interface McpSessionServer {
  /** Connects the server to the SDK transport this module made for it. */
  connect(transport: never): Promise<void>;
  /** Closes the server and its transport. */
  close(): Promise<void>;
}

/**
 * Builds a fresh MCP server (the SDK binds a server to one transport): for a
 * 2025-era session on `initialize` and again when another instance or a
 * restarted process picks the session up; for a 2026-07-28 request, once
 * per request. `context.era` tells which; one factory serves both.
 */
export type McpSessionServerFactory = (
  context: McpServerContext,
) => McpSessionServer | Promise<McpSessionServer>;

/**
 * A provider that builds MCP servers, registered anywhere in the app under
 * the `MCP_SERVER_FACTORY` token; use it when the server needs injected
 * services (the `createServer` option cannot inject them).
 */
export interface McpServerFactory {
  /** See {@link McpSessionServerFactory}. */
  createServer(context: McpServerContext): McpSessionServer | Promise<McpSessionServer>;
}

/**
 * The authentication of a request, handed to the SDK as `authInfo` (tools
 * read it as `ctx.http.authInfo`). Called with the framework request on
 * every MCP request.
 */
export type McpAuthInfoResolver = (request: never) => McpAuthInfo | undefined;

/**
 * Options passed through to every `WebStandardStreamableHTTPServerTransport`
 * that `McpSessionTransports` creates (DNS-rebinding protection, JSON
 * responses instead of SSE, resumability).
 */
export interface McpSessionTransportOptions {
  /** Host header values accepted when `enableDnsRebindingProtection` is on. */
  allowedHosts?: string[];
  /**
   * The `Origin` values allowed to call the server (checked on every request
   * of both eras; a request without `Origin` always passes, a refused one
   * gets 403). `['*']` allows any origin. Default: the server's own origin
   * (the request's `Host`), and `localhost`, `127.0.0.1` and `[::1]` origins
   * when the server is addressed by one of those names.
   */
  allowedOrigins?: string[];
  /** Check `Host` against `allowedHosts` (the `Origin` check is always on). Default false. */
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
  /**
   * The key of the `requestState` codec (MCP 2026-07-28 multi-round-trip
   * requests): at least 32 bytes, from configuration, the same on every
   * instance, so that state minted on one instance verifies on any other.
   * Without it each process draws a random key, which only works when one
   * process serves every round: with a shared store (anything but
   * `MemorySessionStore`) and SDK v2 installed, boot fails until it is set.
   */
  requestStateKey?: string | Uint8Array;
  /**
   * How `subscriptions/listen` streams (MCP 2026-07-28) learn of changes:
   * `RedisServerEventBus` reaches the streams of every instance. Default: a
   * `MemoryServerEventBus` (this process only).
   */
  eventBus?: McpServerEventBus;
  /**
   * How instances that serve one 2025-era session reach each other (answers
   * to server-to-client requests, messages for the client's GET stream, the
   * end of a session): `RedisSessionMessageBus` for many instances. Default:
   * a `MemorySessionMessageBus` (one process).
   */
  messageBus?: McpSessionMessageBus;
  /**
   * Where SSE events of 2025-era sessions are kept, for clients that resume a
   * stream with `Last-Event-ID` (`RedisEventStore` on any instance,
   * `MemoryEventStore` on this one). Default: none (streams do not resume).
   */
  eventStore?: McpEventStore;
  /**
   * The authentication of each request, passed to the SDK as `authInfo`.
   * Default: the request's `auth` property, where the SDK's `requireBearerAuth`
   * and most guards put it.
   */
  resolveAuthInfo?: McpAuthInfoResolver;
  /**
   * How many 2025-era sessions keep a live SDK server and transport in this
   * process (about 50 KB each). Past it, the least recently used idle one is
   * closed; its record stays in the store, and its next request rebuilds it
   * here or on any instance. Default 2 000.
   */
  maxLocalSessions?: number;
  /**
   * Caps on live sessions in the store, checked on `initialize`: `perOwner`
   * (sessions of one `resolveOwner` principal; answered 429) and `total`
   * (answered 503, and needs a store with `count`), both with `Retry-After:
   * retryAfter` seconds (default 60). Default: no caps.
   */
  sessionLimits?: McpSessionLimits;
  /**
   * The breaker in front of the store: after `threshold` failed calls in a
   * row (default 3) requests get 503 at once instead of waiting for the
   * store's timeout, and after `cooldown` ms (default 500) one request at a
   * time tries the store; the first success closes it. `false`: no breaker.
   */
  storeBreaker?: StoreBreakerOptions | false;
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
  requestStateKey?: string | Uint8Array;
  /** `true` when the store is shared between processes (anything but `MemorySessionStore`). */
  sharedStore: boolean;
  eventBus: McpServerEventBus;
  messageBus: McpSessionMessageBus;
  eventStore?: McpEventStore;
  resolveAuthInfo?: McpAuthInfoResolver;
  maxLocalSessions: number;
  sessionLimits?: Required<Pick<McpSessionLimits, 'retryAfter'>> & McpSessionLimits;
  storeBreaker: StoreBreakerOptions | false;
}

/** A class that `forRootAsync({ useClass })` instantiates to get the options. */
export interface McpSessionOptionsFactory {
  createMcpSessionOptions(): McpSessionModuleOptions | Promise<McpSessionModuleOptions>;
}
