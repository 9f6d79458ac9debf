/**
 * Told by a {@link SessionInvalidationChannel} when local copies of sessions
 * can no longer be trusted. Both methods are called synchronously and must
 * not throw.
 */
export interface SessionInvalidationListener {
  /** Another store changed or deleted session `id`: drop any local copy of it. */
  invalidate(id: string): void;
  /**
   * Messages may have been missed (the channel has just (re)connected): drop
   * every local copy. Called right before `connected` turns `true`.
   */
  reset(): void;
}

/**
 * How instances tell each other that a session changed, so that each can drop
 * its cached copy (used by `CachingSessionStore`). Delivery is at most once:
 * a listener cannot trust its copies while `connected` is `false`, and must
 * drop all of them on `reset()`.
 */
export interface SessionInvalidationChannel {
  /**
   * `true` while messages are being received (the subscription is live).
   * Read on every cached request: implementations keep it a plain field.
   */
  readonly connected: boolean;

  /**
   * Announces that session `id` changed or was deleted. Every listener of every
   * instance is told, except `from` (the listener whose store made the change).
   * Rejects with a `SessionStoreError` of kind `backend` when the message could
   * not be sent.
   */
  publish(id: string, from?: SessionInvalidationListener): Promise<void>;

  /** Adds a listener. @returns a function that removes it (idempotent). */
  subscribe(listener: SessionInvalidationListener): () => void;
}
