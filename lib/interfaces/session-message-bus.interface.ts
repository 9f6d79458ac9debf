/**
 * What one instance tells another about a 2025-era session:
 *
 * - `reply`: a client's answer (or progress) to a request that the server of
 *   the addressed instance sent; that instance feeds it to the waiting server.
 * - `outbound`: a server-to-client message that belongs on the client's
 *   standalone GET stream; the instance holding that stream writes it.
 * - `ended`: the session was deleted; every instance closes its transport.
 */
export interface McpSessionBusMessage {
  kind: 'reply' | 'outbound' | 'ended';
  /** The session the message concerns (never logged whole). */
  sessionId: string;
  /** The JSON-RPC message of a `reply` or an `outbound`. */
  message?: Record<string, unknown>;
  /** The event-store id an `outbound` message was already stored under, if any. */
  eventId?: string;
}

/**
 * How the instances that serve 2025-era sessions reach each other: a message
 * goes to one instance (its {@link McpSessionMessageBus.instanceId}) or to
 * every other one. One subscription per instance, whatever the number of
 * sessions. `MemorySessionMessageBus` serves one process,
 * `RedisSessionMessageBus` many. Delivery is at most once.
 */
export interface McpSessionMessageBus {
  /**
   * This instance's address: unique per instance and per process start (the
   * SDK integration prefixes the ids of server-to-client requests with it, so
   * that any instance can tell where an answer belongs).
   */
  readonly instanceId: string;

  /**
   * Sends `message` to the instance `to`, or to every other instance when `to`
   * is omitted; never to this instance's own listeners. Never throws and never
   * waits for a backend to come back: a failure is the bus's to log.
   * @returns `false` when the message certainly reached no instance (it could
   *   not be sent, or, where the backend can tell, nobody listens on `to`);
   *   `true` otherwise.
   */
  publish(message: McpSessionBusMessage, to?: string): Promise<boolean>;

  /**
   * Registers a receiver for the messages of other instances addressed to
   * this one or to all.
   * @returns a function that removes it (idempotent).
   */
  subscribe(listener: (message: McpSessionBusMessage) => void): () => void;
}
