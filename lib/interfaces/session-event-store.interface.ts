/** A JSON-RPC message as the SDK hands it to an event store (or `{}` for a priming event). */
export type McpEventMessage = Record<string, unknown>;

/**
 * The SDK's `EventStore` (`@modelcontextprotocol/server` 2.x and
 * `@modelcontextprotocol/sdk` 1.x alike), which a Streamable HTTP transport
 * uses to give SSE events ids and to replay them after `Last-Event-ID`.
 */
export interface McpSdkEventStore {
  /** Stores `message` on stream `streamId`. @returns its event id. */
  storeEvent(streamId: string, message: McpEventMessage): Promise<string>;
  /** The stream an event id belongs to, or `undefined` for an id this store never issued. */
  getStreamIdForEventId?(eventId: string): Promise<string | undefined>;
  /**
   * Sends every event of the stream of `lastEventId` stored after it, in
   * order, each once.
   * @returns the stream's id.
   */
  replayEventsAfter(
    lastEventId: string,
    handlers: { send: (eventId: string, message: McpEventMessage) => Promise<void> },
  ): Promise<string>;
}

/**
 * Where the SSE events of 2025-era sessions are kept, so that a client that
 * lost a stream resumes it with `Last-Event-ID` on any instance. The SDK's
 * stream ids repeat from session to session (the standalone GET stream is
 * `_GET_stream` in every one), so each session's transport gets a view of
 * its own: `MemoryEventStore` for one process, `RedisEventStore` for many.
 */
export interface McpEventStore {
  /** The SDK `EventStore` of session `sessionId`'s transport (cheap: no I/O). */
  forSession(sessionId: string): McpSdkEventStore;

  /** Drops every event of session `sessionId` (it ended). Idempotent. */
  deleteSession(sessionId: string): Promise<void>;
}

/** How much an event store keeps: `MemoryEventStore` and `RedisEventStore` options. */
export interface EventStoreBounds {
  /** Events kept per session; the oldest go first. Default 1000. */
  maxLength?: number;
  /** How long an event may be replayed, in ms. Default 10 minutes. */
  maxAge?: number;
}
