/** The name of this package's OpenTelemetry meter. */
export const MCP_SESSION_METER = 'nestjs-mcp-session';

/**
 * The names of this package's OpenTelemetry metrics. The Prometheus exporter
 * writes dots as underscores and adds `_total` to counters:
 * `mcp_session_created_total`, `mcp_session_store_duration_bucket`.
 * No attribute carries a session id.
 */
export const MCP_SESSION_METRICS = {
  /** Counter: session records stored by `McpSessionTransports` for an `initialize`. */
  created: 'mcp_session.created',
  /** Counter: stored sessions rebuilt in a process other than the one that created them. */
  restored: 'mcp_session.restored',
  /** Counter: sessions deleted on a client's DELETE (or a refused `initialize`'s record). */
  deleted: 'mcp_session.deleted',
  /** Counter: expired records removed by the sweep (`cleanupExpired`). */
  expired: 'mcp_session.expired',
  /** Observable gauge: live sessions in the store (`count()`, when the store has it). */
  live: 'mcp_session.live',
  /** Histogram (s): store call latency, by `mcp_session.store.operation` (and `error.type` when it failed). */
  storeDuration: 'mcp_session.store.duration',
  /** Counter: requests refused, by `http.response.status_code` (400, 403, 404, 503). */
  rejected: 'mcp_session.rejected',
  /** Counter: messages routed between instances, by `mcp_session.message.kind`. */
  routed: 'mcp_session.routed',
} as const;
