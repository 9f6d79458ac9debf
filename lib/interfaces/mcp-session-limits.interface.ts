/** When the breaker in front of the store opens, and how long it stays open before it lets one call try. */
export interface StoreBreakerOptions {
  /** Failed calls in a row (timeouts, refused connections) that open the breaker. Default 3. */
  threshold?: number;
  /** How long an open breaker fails calls at once before it lets one call try the store, in ms. Default 500. */
  cooldown?: number;
}

/** Caps on live sessions in the store (see `sessionLimits`). */
export interface McpSessionLimits {
  /** Live sessions one principal (`resolveOwner`) may hold; a new one past it gets 429. */
  perOwner?: number;
  /** Live sessions in the store (its `count()`); a new one past it gets 503. */
  total?: number;
  /** The `Retry-After` of those answers, in seconds. Default 60. */
  retryAfter?: number;
}
