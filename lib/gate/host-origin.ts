import type { McpSessionTransportOptions } from '../interfaces/mcp-session-options.interface';
import { forbiddenHeader, type McpSessionRejection } from './mcp-session.errors';
import type { McpSessionRequest } from './mcp-session.request';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * DNS-rebinding protection for both protocol eras, with the SDK transports'
 * own rules, checked before the session gate so that a refused request
 * touches nothing: with `enableDnsRebindingProtection`, a `Host` not in
 * `allowedHosts` (when the list is set) and an `Origin` present but not in
 * `allowedOrigins` (when that list is set) are refused.
 * @returns the 403 answer, or `undefined` when the request may go on.
 */
export function hostOriginRejection(
  request: McpSessionRequest,
  options: McpSessionTransportOptions | undefined,
): McpSessionRejection | undefined {
  if (!options?.enableDnsRebindingProtection) return undefined;
  const { allowedHosts, allowedOrigins } = options;
  if (allowedHosts && allowedHosts.length > 0) {
    const host = single(request.headers.host);
    if (host === undefined || !allowedHosts.includes(host)) return forbiddenHeader('Host', host);
  }
  if (allowedOrigins && allowedOrigins.length > 0) {
    const origin = single(request.headers.origin);
    if (origin !== undefined && !allowedOrigins.includes(origin)) {
      return forbiddenHeader('Origin', origin);
    }
  }
  return undefined;
}
