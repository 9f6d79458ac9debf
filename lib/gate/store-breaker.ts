import type { SessionStore } from '../contract/session-store';
import { SessionStoreError } from '../contract/session-store.error';
import type { StoreBreakerOptions } from '../interfaces/mcp-session-limits.interface';

/** Default {@link StoreBreakerOptions}. */
export const DEFAULT_STORE_BREAKER: Required<StoreBreakerOptions> = Object.freeze({
  threshold: 3,
  cooldown: 500,
});

/**
 * True when `error` says the store is unreachable or failing (kind
 * `backend`, or anything that is not a `SessionStoreError`), not that one
 * record is bad or that the client sent something the store cannot keep.
 */
export function isStoreOutage(error: unknown): boolean {
  return !(error instanceof SessionStoreError) || error.kind === 'backend';
}

/**
 * A circuit breaker in front of one session store: after `threshold` outage
 * failures in a row it opens, and calls fail at once (a `backend`
 * `SessionStoreError`) instead of each waiting out the store's timeout; once
 * `cooldown` has passed, one call at a time goes through to try the store
 * (the others still fail at once), and the first success closes it. Errors
 * that are not outages (`decode`, `encode`, `conflict`) count as answers.
 */
export class StoreBreaker {
  private failures = 0;
  private openedAt = 0;
  private trying = false;
  private readonly threshold: number;
  private readonly cooldown: number;

  constructor(
    options: StoreBreakerOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.threshold = options.threshold ?? DEFAULT_STORE_BREAKER.threshold;
    this.cooldown = options.cooldown ?? DEFAULT_STORE_BREAKER.cooldown;
  }

  /** True while calls fail at once. */
  get open(): boolean {
    return this.failures >= this.threshold;
  }

  /**
   * Runs `call` unless the breaker is open.
   * @throws SessionStoreError (`backend`) at once while it is open, else what `call` throws.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    let trial = false;
    if (this.open) {
      if (this.trying || this.now() - this.openedAt < this.cooldown) throw OPEN;
      this.trying = trial = true;
    }
    try {
      const value = await call();
      this.failures = 0;
      return value;
    } catch (error) {
      if (!isStoreOutage(error)) this.failures = 0;
      else if (++this.failures >= this.threshold) this.openedAt = this.now();
      throw error;
    } finally {
      if (trial) this.trying = false;
    }
  }
}

const OPEN = new SessionStoreError(
  'backend',
  'session store breaker open: calls fail at once until a trial call succeeds',
);

const breakers = new WeakMap<SessionStore, StoreBreaker>();

/**
 * The breaker of `store`, one per store object in the process (the gate and
 * the SDK integration share it); `options` only matter the first time.
 * `false` gives a breaker that never opens.
 */
export function storeBreaker(
  store: SessionStore,
  options: StoreBreakerOptions | false = {},
): StoreBreaker {
  let breaker = breakers.get(store);
  if (breaker === undefined) {
    breaker = new StoreBreaker(options === false ? { threshold: Infinity } : options);
    breakers.set(store, breaker);
  }
  return breaker;
}
