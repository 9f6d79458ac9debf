import type { SessionInvalidationChannel } from '../../interfaces/session-invalidation.interface';
import {
  checkMilliseconds,
  checkPositiveInteger,
  invalidOption,
} from '../../contract/option-checks';

/** Options of `CachingSessionStore`. */
export interface CachingSessionStoreOptions {
  /**
   * How instances tell each other that a session changed (for Redis:
   * `RedisInvalidationChannel`). Without one, another instance's change is seen
   * only after `cacheTtl`: right for a single instance, or when that staleness
   * is acceptable.
   */
  channel?: SessionInvalidationChannel;
  /** How many records the cache holds at most (least recently used leave first). Default 10 000. */
  maxEntries?: number;
  /**
   * How long a cached copy is trusted without asking the backend, in ms: the
   * bound on staleness when an invalidation message is lost. Default 10 000.
   */
  cacheTtl?: number;
  /**
   * A touch extends the cached copy and sends the new expiry to the backend
   * only when the backend's expiry would otherwise trail it by this much or
   * more, in ms: the backend's expiry never lags the true one by more than
   * this. Default: a tenth of the ttl passed to `touch` (3 min for a 30-min
   * session; in practice a hot session also refreshes every `cacheTtl`).
   */
  touchInterval?: number;
  /**
   * When the backend fails, answer from the cache if it holds a copy (even a
   * copy no longer trusted) instead of rejecting. Such a copy may belong to a
   * session another instance deleted. Default `false`.
   */
  serveStaleOnError?: boolean;
}

/** The options after defaults and validation. */
export interface ResolvedCachingOptions {
  channel?: SessionInvalidationChannel;
  maxEntries: number;
  cacheTtl: number;
  /** `undefined`: a tenth of each touch's ttl. */
  touchInterval?: number;
  serveStaleOnError: boolean;
}

/** The fraction of a touch's ttl used as `touchInterval` when none is set. */
export const DEFAULT_TOUCH_FRACTION = 0.1;

const OWNER = 'CachingSessionStore';
const MS = { owner: OWNER };

/**
 * Applies defaults and checks the options.
 * @throws InvalidOptionError naming the option when one is invalid.
 */
export function resolveCachingOptions(
  raw: CachingSessionStoreOptions = {},
): ResolvedCachingOptions {
  const channel = raw.channel;
  if (
    channel !== undefined &&
    (typeof channel !== 'object' ||
      channel === null ||
      typeof channel.publish !== 'function' ||
      typeof channel.subscribe !== 'function')
  ) {
    const expected = 'a SessionInvalidationChannel (publish, subscribe, connected)';
    throw invalidOption(OWNER, 'channel', expected, channel);
  }
  const { maxEntries = 10_000, cacheTtl = 10_000, touchInterval } = raw;
  return {
    channel,
    maxEntries: checkPositiveInteger(maxEntries, 'maxEntries', OWNER),
    cacheTtl: checkMilliseconds(cacheTtl, 'cacheTtl', MS),
    touchInterval:
      touchInterval === undefined
        ? undefined
        : checkMilliseconds(touchInterval, 'touchInterval', MS),
    serveStaleOnError: raw.serveStaleOnError === true,
  };
}
