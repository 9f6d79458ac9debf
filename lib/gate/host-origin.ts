import type { McpSessionTransportOptions } from '../interfaces/mcp-session-options.interface';
import { forbiddenHeader, type McpSessionRejection } from './mcp-session.errors';
import type { McpSessionRequest } from './mcp-session.request';

/** Host names of this machine: a page served from one may call a server addressed as one. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The `Host` header as a URL (`http://<host>`: lower case, port 80 dropped), if it parses. */
function hostOf(host: string): URL | undefined {
  try {
    return new URL(`http://${host}`);
  } catch {
    return undefined;
  }
}

/**
 * Whether `origin` may call this server, by the `allowedOrigins` option:
 * - a list: exactly those origins (`'*'` in it: any origin);
 * - unset or empty (the default): the server's own origin (an `http` or
 *   `https` origin whose host and port are the request's `Host`), and any
 *   `localhost`, `127.0.0.1` or `[::1]` origin when the server is addressed
 *   by one of those names. An origin that does not parse (`null` included)
 *   is refused.
 */
export function originAllowed(
  origin: string,
  host: string | undefined,
  allowedOrigins: readonly string[] | undefined,
): boolean {
  if (allowedOrigins && allowedOrigins.length > 0) {
    return allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const server = host === undefined ? undefined : hostOf(host);
  if (server === undefined) return false;
  if (url.hostname === server.hostname && samePort(url, server)) return true;
  return LOOPBACK.has(url.hostname) && LOOPBACK.has(server.hostname);
}

/**
 * The origin's port against the `Host` header's: a `Host` without a port
 * (the scheme's default, which the header does not tell) matches an origin
 * on its scheme's default port.
 */
function samePort(origin: URL, server: URL): boolean {
  if (server.port === '') return origin.port === '';
  return (origin.port || (origin.protocol === 'https:' ? '443' : '80')) === server.port;
}

/**
 * Origin validation and DNS-rebinding protection for both protocol eras,
 * checked before the session gate so that a refused request touches
 * nothing:
 * - `Origin` (always, as the MCP transport spec requires of servers): a
 *   request without one passes; one that {@link originAllowed} refuses gets
 *   403;
 * - `Host` (with `enableDnsRebindingProtection` and an `allowedHosts` list,
 *   the SDK transports' own rule): a `Host` not in the list gets 403.
 * @returns the 403 answer, or `undefined` when the request may go on.
 */
export function hostOriginRejection(
  request: McpSessionRequest,
  options: McpSessionTransportOptions | undefined,
): McpSessionRejection | undefined {
  const host = single(request.headers.host);
  const { allowedHosts, allowedOrigins } = options ?? {};
  if (options?.enableDnsRebindingProtection && allowedHosts && allowedHosts.length > 0) {
    if (host === undefined || !allowedHosts.includes(host)) return forbiddenHeader('Host', host);
  }
  const origin = single(request.headers.origin);
  if (origin !== undefined && origin !== '' && !originAllowed(origin, host, allowedOrigins)) {
    return forbiddenHeader('Origin', origin);
  }
  return undefined;
}
