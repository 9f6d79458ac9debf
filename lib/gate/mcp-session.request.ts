import type { SessionRecord } from '../contract/session-record';

/** Where the interceptor leaves the live record on the request object. */
export const MCP_SESSION_RECORD = Symbol('mcp-session.record');
/** Set by `McpSessionTransports` on a DELETE it handles: it deletes the record itself. */
export const MCP_SESSION_CLOSED = Symbol('mcp-session.closed');

/** The framework request, as seen by this module: headers plus our two slots. */
export interface McpSessionRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  [MCP_SESSION_RECORD]?: SessionRecord;
  [MCP_SESSION_CLOSED]?: boolean;
}

/**
 * The session record the interceptor attached to this request (Express
 * `Request` or Fastify `FastifyRequest`), or `undefined` when the request
 * carried no session id or did not pass through the interceptor.
 */
export function getMcpSession(request: object): SessionRecord | undefined {
  return (request as McpSessionRequest)[MCP_SESSION_RECORD];
}
