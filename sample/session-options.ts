import type { McpSessionModuleOptions } from '../lib';

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

/**
 * The sample's session options from the environment:
 * - `REDIS_URL`: a caching store over Redis instead of the memory store;
 * - `MCP_SESSION_TTL`: session time to live in ms;
 * - `MCP_ALLOWED_HOSTS` / `MCP_ALLOWED_ORIGINS` (comma-separated): turn on
 *   the SDK's DNS-rebinding protection with these lists.
 */
export function sampleSessionOptions(
  env: NodeJS.ProcessEnv = process.env,
): McpSessionModuleOptions {
  const allowedHosts = list(env.MCP_ALLOWED_HOSTS);
  const allowedOrigins = list(env.MCP_ALLOWED_ORIGINS);
  const options: McpSessionModuleOptions = {};
  if (env.MCP_SESSION_TTL) options.ttl = Number(env.MCP_SESSION_TTL);
  if (allowedHosts || allowedOrigins) {
    options.transport = { enableDnsRebindingProtection: true, allowedHosts, allowedOrigins };
  }
  if (env.REDIS_URL) {
    throw new Error('REDIS_URL: the Redis stores are not available yet in this build');
  }
  return options;
}
