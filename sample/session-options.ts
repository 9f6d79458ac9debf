import {
  CachingSessionStore,
  type McpSessionModuleOptions,
  MemoryEventStore,
  MemorySessionStore,
  PostgresInvalidationChannel,
  PostgresSessionStore,
  RedisEventStore,
  RedisInvalidationChannel,
  RedisServerEventBus,
  RedisSessionMessageBus,
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
 * - `DATABASE_URL` (without `REDIS_URL`): a caching store over PostgreSQL,
 *   its caches kept coherent by LISTEN/NOTIFY (run `migrate()` first: the
 *   sample's `main.ts` does);
 * - `MCP_SESSION_TTL`: session time to live in ms;
 * - `MCP_ALLOWED_HOSTS` / `MCP_ALLOWED_ORIGINS` (comma-separated): the
 *   `Host` and `Origin` values the SDK's DNS-rebinding protection lets in.
 *   Without them, only `localhost`, `127.0.0.1` and `[::1]` on `PORT` are
 *   allowed (safe for a server on a developer's machine); set them for a
 *   deployment, or `MCP_ALLOWED_HOSTS=*` to turn the check off behind a proxy
 *   that already checks hosts;
 * - `MCP_REQUEST_STATE_KEY` (at least 32 bytes, the same on every instance):
 *   the key that signs the `requestState` of multi-round 2026-07-28 requests;
 *   required with `REDIS_URL` or `DATABASE_URL`.
 */
export function sampleSessionOptions(
  env: NodeJS.ProcessEnv = process.env,
): McpSessionModuleOptions {
  const port = env.PORT ?? '3000';
  const allowedHosts = list(env.MCP_ALLOWED_HOSTS) ?? [
    `localhost:${port}`,
    `127.0.0.1:${port}`,
    `[::1]:${port}`,
  ];
  const allowedOrigins = list(env.MCP_ALLOWED_ORIGINS);
  const options: McpSessionModuleOptions = {};
  if (env.MCP_SESSION_TTL) options.ttl = Number(env.MCP_SESSION_TTL);
  if (env.MCP_REQUEST_STATE_KEY) options.requestStateKey = env.MCP_REQUEST_STATE_KEY;
  if (allowedHosts.join() !== '*') {
    options.transport = { enableDnsRebindingProtection: true, allowedHosts, allowedOrigins };
  }
  // Streams resume with Last-Event-ID (in this process without Redis).
  options.eventStore = new MemoryEventStore();
  if (env.REDIS_URL) {
    // Each instance: a memory tier of its own over the shared Redis, told of
    // other instances' changes by pub/sub. The store closes both connections
    // when the application shuts down.
    options.store = new CachingSessionStore(
      new MemorySessionStore(),
      RedisSessionStore.fromUrl(env.REDIS_URL),
      { channel: RedisInvalidationChannel.fromUrl(env.REDIS_URL) },
    );
    // 2026-07-28 listen streams of every instance hear each other's changes.
    options.eventBus = RedisServerEventBus.fromUrl(env.REDIS_URL);
    // 2025 sessions: answers, notifications and session ends reach the
    // instance concerned; streams resume on any instance.
    options.messageBus = RedisSessionMessageBus.fromUrl(env.REDIS_URL);
    options.eventStore = RedisEventStore.fromUrl(env.REDIS_URL);
    // Redis expires records by itself; the sweep only trims its index.
    options.cleanupInterval = 5 * 60_000;
  } else if (env.DATABASE_URL) {
    // A memory tier per instance over the shared table; NOTIFY tells the
    // other instances of changes. (No Postgres buses: 2026-07-28 listen
    // streams and 2025 server-to-client traffic stay per instance.)
    options.store = new CachingSessionStore(
      new MemorySessionStore(),
      PostgresSessionStore.fromUrl(env.DATABASE_URL),
      { channel: PostgresInvalidationChannel.fromUrl(env.DATABASE_URL) },
    );
  }
  return options;
}
