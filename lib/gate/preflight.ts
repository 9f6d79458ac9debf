import type { McpSessionTransportOptions } from '../interfaces/mcp-session-options.interface';
import { hostOriginRejection } from './host-origin';
import { type McpSessionRejection, UNSUPPORTED_MEDIA_TYPE } from './mcp-session.errors';
import type { McpSessionRequest } from './mcp-session.request';

/** Whether a `Content-Type` value is `application/json` (parameters such as `charset` allowed). */
export function isJsonContentType(value: string | string[] | undefined): boolean {
  if (typeof value !== 'string') return false;
  return value.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

/**
 * The checks an MCP request passes before anything reads or writes a
 * session, in the SDK transports' order: `Host` and `Origin` (403, see
 * {@link hostOriginRejection}), then, for a POST, a `Content-Type` other than
 * `application/json` (415).
 * @returns the answer for a refused request, or `undefined` when it may go on.
 */
export function preflightRejection(
  request: McpSessionRequest,
  options: McpSessionTransportOptions | undefined,
): McpSessionRejection | undefined {
  const refused = hostOriginRejection(request, options);
  if (refused) return refused;
  if (request.method === 'POST' && !isJsonContentType(request.headers['content-type'])) {
    return UNSUPPORTED_MEDIA_TYPE;
  }
  return undefined;
}
