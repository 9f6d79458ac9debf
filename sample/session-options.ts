import {
  CachingSessionStore,
  type McpSessionModuleOptions,
  MemorySessionStore,
  RedisInvalidationChannel,
  RedisSessionStore,
} from '../lib';

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
    // Each instance: a memory tier of its own over the shared Redis, told of
    // other instances' changes by pub/sub. The store closes both connections
    // when the application shuts down.
    options.store = new CachingSessionStore(
      new MemorySessionStore(),
      RedisSessionStore.fromUrl(env.REDIS_URL),
      { channel: RedisInvalidationChannel.fromUrl(env.REDIS_URL) },
    );
    // Redis expires records by itself; the sweep only trims its index.
    options.cleanupInterval = 5 * 60_000;
  }
  return options;
}
