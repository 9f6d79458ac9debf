export { SessionRecord } from './contract/session-record';
export type { SessionClientInfo, SessionRecordFields } from './contract/session-record';
export { SessionStore } from './contract/session-store';
export { SessionStoreError, shortId } from './contract/session-store.error';
export type { SessionStoreErrorKind } from './contract/session-store.error';
export { InvalidOptionError } from './contract/option-checks';
export { updateRecord, DEFAULT_UPDATE_RETRIES } from './contract/update-record';
export type { SessionRecordChange, SessionUpdateOptions } from './contract/update-record';
export { DEFAULT_MAX_RECORD_BYTES } from './contract/record-size';
export { MemorySessionStore } from './stores/memory/memory-session.store';
export type { MemorySessionStoreOptions } from './stores/memory/memory-session.store';
export { RedisSessionStore } from './stores/redis/redis-session.store';
export type {
  RedisSessionStoreOptions,
  RedisConnectionOptions,
  RedisClusterConnectionOptions,
} from './stores/redis/redis-session.options';
export type { RedisClient, RedisInvalidationClient } from './stores/redis/redis-client';
export type {
  NodeRedisLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisShardNode,
} from './stores/redis/node-redis.adapter';
export { PostgresSessionStore } from './stores/postgres/postgres-session.store';
export type { PostgresSessionStoreOptions } from './stores/postgres/postgres-session.options';
export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQuery,
  PostgresResult,
  PostgresValueParser,
} from './stores/postgres/postgres-client';
export { PostgresInvalidationChannel } from './stores/postgres/postgres-invalidation.channel';
export type { PostgresInvalidationChannelOptions } from './stores/postgres/postgres-invalidation.channel';
export { CachingSessionStore } from './stores/caching/caching-session.store';
export type { CachingSessionStoreOptions } from './stores/caching/caching-session.options';
export { RedisInvalidationChannel } from './stores/redis/redis-invalidation.channel';
export type { RedisInvalidationChannelOptions } from './stores/redis/redis-invalidation.options';
export { MemoryServerEventBus } from './stores/memory/memory-server-event-bus';
export { RedisServerEventBus } from './stores/redis/redis-server-event-bus';
export type {
  RedisServerEventBusOptions,
  RedisServerEventBusClient,
} from './stores/redis/redis-server-event-bus.options';
export { MemorySessionMessageBus } from './stores/memory/memory-session-message-bus';
export { RedisSessionMessageBus } from './stores/redis/redis-session-message-bus';
export type { RedisSessionMessageBusOptions } from './stores/redis/redis-session-message-bus.options';
export { MemoryEventStore } from './stores/memory/memory-event-store';
export { RedisEventStore } from './stores/redis/redis-event-store';
export type {
  RedisEventStoreOptions,
  RedisEventStoreClient,
} from './stores/redis/redis-event-store.options';
export type {
  McpSessionBusMessage,
  McpSessionMessageBus,
} from './interfaces/session-message-bus.interface';
export type {
  EventStoreBounds,
  McpEventMessage,
  McpEventStore,
  McpSdkEventStore,
} from './interfaces/session-event-store.interface';
export { SDK_STATE_KEY } from './sdk/session-state';
export type { SdkSessionState } from './sdk/session-state';
export type {
  SessionInvalidationChannel,
  SessionInvalidationListener,
} from './interfaces/session-invalidation.interface';
export { McpSessionModule } from './mcp-session.module';
export type { McpSessionModuleExtras } from './mcp-session.module-definition';
export {
  MCP_SESSION_OPTIONS,
  DEFAULT_SESSION_TTL,
  DEFAULT_CLEANUP_INTERVAL,
  MCP_SERVER_FACTORY,
  MCP_EVENT_BUS,
} from './mcp-session.constants';
export type {
  McpSessionModuleOptions,
  McpSessionOptions,
  McpSessionOptionsFactory,
  McpServerFactory,
  McpAuthInfoResolver,
  McpSessionOwnerResolver,
  McpSessionServer,
  McpSessionServerFactory,
  McpSessionTransportOptions,
} from './interfaces/mcp-session-options.interface';
export type {
  McpSessionLimits,
  StoreBreakerOptions,
} from './interfaces/mcp-session-limits.interface';
export { InjectSessionStore, InjectMcpSessionOptions, McpSession } from './mcp-session.decorators';
export { McpSessionInterceptor } from './interceptors/mcp-session.interceptor';
export { McpParseErrorFilter } from './interceptors/mcp-parse-error.filter';
export { McpSessionGate } from './gate/mcp-session.gate';
export { getMcpSession } from './gate/mcp-session.request';
export {
  McpSessionRejection,
  MALFORMED_SESSION_ID,
  SESSION_NOT_FOUND,
  STORE_UNAVAILABLE,
  SESSION_ID_REQUIRED,
} from './gate/mcp-session.errors';
export type { JsonRpcErrorBody } from './gate/mcp-session.errors';
export { McpSessionTransports } from './sdk/mcp-session.transports';
export { McpCallers } from './sdk/mcp-callers';
export type { McpCaller } from './sdk/mcp-callers';
export { McpStateHandles } from './handles/mcp-state-handles';
export type { McpHandleData } from './handles/mcp-state-handles';
export type {
  McpAuthInfo,
  McpCallContext,
  McpChangeNotifier,
  McpRequestStateCodec,
  McpServerContext,
} from './interfaces/mcp-server-context.interface';
export type { McpServerEvent, McpServerEventBus } from './interfaces/server-event-bus.interface';
export { SessionCleanupService } from './session-cleanup.service';
export { McpSessionHealthIndicator } from './health/mcp-session.health';
export type {
  McpSessionHealthCheckOptions,
  McpSessionHealthResult,
} from './health/mcp-session.health';
export { MCP_SESSION_METER, MCP_SESSION_METRICS } from './metrics/metric-names';
