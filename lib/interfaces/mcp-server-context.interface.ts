import type { SessionRecord } from '../contract/session-record';

/**
 * Validated authentication information of a request, as the MCP SDK passes
 * it to tools (`ctx.http.authInfo`): the SDK's `AuthInfo` shape.
 */
export interface McpAuthInfo {
  /** The access token. */
  token: string;
  /** The OAuth client the token was issued to. */
  clientId: string;
  /** Scopes the token grants. */
  scopes: string[];
  /** Expiry in seconds since the epoch. */
  expiresAt?: number;
  /** The resource server the token is meant for (RFC 8707). */
  resource?: URL;
  /** Anything else the verifier wants tools to see. */
  extra?: Record<string, unknown>;
}

/**
 * The part of a tool handler's context (the SDK's `ServerContext`) that this
 * module reads to tell who is calling: the web `Request` of the HTTP
 * exchange the call belongs to.
 */
export interface McpCallContext {
  http?: { req?: Request; authInfo?: McpAuthInfo };
  mcpReq?: { method?: string };
}

/**
 * Seals and checks the `requestState` of multi-round-trip requests (MCP
 * 2026-07-28 `InputRequiredResult`): the SDK v2's `createRequestStateCodec`
 * with the key every instance shares (`requestStateKey`), bound to the
 * caller's principal (`resolveOwner`) and the request's method, so that
 * state minted on one instance verifies on every other one and another
 * caller's echo is refused.
 */
export interface McpRequestStateCodec {
  /** Seals `payload` (JSON) into the opaque string an `inputRequired(...)` result carries. */
  mint(payload: unknown, ctx: McpCallContext): Promise<string>;
  /**
   * Checks an echoed `requestState` and gives its payload back; throws on any
   * failure. Pass it as the server's `requestState: { verify }` option.
   */
  verify(state: string, ctx: McpCallContext): Promise<unknown>;
}

/**
 * Publishes change events to the `subscriptions/listen` streams of every
 * instance (MCP 2026-07-28 clients).
 */
export interface McpChangeNotifier {
  /** `notifications/tools/list_changed` to every subscription that opted in. */
  toolsChanged(): void;
  /** `notifications/prompts/list_changed` to every subscription that opted in. */
  promptsChanged(): void;
  /** `notifications/resources/list_changed` to every subscription that opted in. */
  resourcesChanged(): void;
  /** `notifications/resources/updated` for `uri` to every subscription that opted in to it. */
  resourceUpdated(uri: string): void;
}

/**
 * What a server factory is told when it builds an MCP server.
 *
 * - `era: 'legacy'`: a 2025-era session (`initialize` handshake, session id).
 *   The server serves every request of that session on this instance; it is
 *   built on `initialize` and again when another instance or a restarted
 *   process picks the session up (`record` is the stored session).
 * - `era: 'modern'`: one request of an MCP 2026-07-28 client, which has no
 *   session: the server serves that request only (the SDK's
 *   `createMcpHandler` builds one per request).
 */
export interface McpServerContext {
  /** Which protocol era the server will serve. */
  era: 'legacy' | 'modern';
  /** The session's stored record (legacy era only). */
  record?: SessionRecord;
  /**
   * The framework request (Express `Request` or Fastify `FastifyRequest`)
   * that made the server be built: the `initialize`, the first request on
   * this instance of a restored session, or the modern request itself. Tools
   * see the request they serve as `ctx.http.req` (a web `Request`) and its
   * authentication as `ctx.http.authInfo`, in both eras.
   */
  request: object;
  /** The principal `resolveOwner` gives for `request`, if any. */
  owner?: string;
  /** What `resolveAuthInfo` gives for `request`, if anything. */
  authInfo?: McpAuthInfo;
  /**
   * The shared request-state codec: give the server
   * `{ requestState: { verify: requestState.verify } }` and mint with
   * `requestState.mint(payload, ctx)` (SDK v2 servers only).
   */
  requestState: McpRequestStateCodec;
  /** Publishes list-changed and resource-updated events to every instance's listen streams. */
  notify: McpChangeNotifier;
}
