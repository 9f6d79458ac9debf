/**
 * A change event for the open `subscriptions/listen` streams of MCP
 * 2026-07-28 clients. The same shape as the SDK v2's `ServerEvent`, so an
 * implementation of {@link McpServerEventBus} is a `ServerEventBus` of
 * `@modelcontextprotocol/server` as well:
 *
 * - `tools_list_changed` → `notifications/tools/list_changed`
 * - `prompts_list_changed` → `notifications/prompts/list_changed`
 * - `resources_list_changed` → `notifications/resources/list_changed`
 * - `resource_updated` → `notifications/resources/updated` (for `uri`)
 */
export type McpServerEvent = (
  | { kind: 'tools_list_changed' }
  | { kind: 'prompts_list_changed' }
  | { kind: 'resources_list_changed' }
  | { kind: 'resource_updated'; uri: string }
) & {
  /** Notification params forwarded as they are (the SDK stamps its subscription id). */
  params?: Record<string, unknown>;
};

/**
 * How change events reach every open `subscriptions/listen` stream: an event
 * published on any instance is delivered to the listeners of every instance
 * (the publishing one included). The SDK v2's `ServerEventBus` seam;
 * `MemoryServerEventBus` serves one process, `RedisServerEventBus` many.
 */
export interface McpServerEventBus {
  /**
   * Publishes `event` to every listener of every instance. Fire and forget:
   * never throws; a failure to send is the implementation's to log.
   */
  publish(event: McpServerEvent): void;

  /**
   * Registers a listener for events of every instance.
   * @returns a function that removes it (idempotent).
   */
  subscribe(listener: (event: McpServerEvent) => void): () => void;
}
