import type {
  McpSessionModuleOptions,
  McpSessionOptions,
} from './interfaces/mcp-session-options.interface';
import type { SessionStore } from './contract/session-store';
import {
  checkMilliseconds,
  checkPositiveInteger,
  InvalidOptionError,
  invalidOption,
} from './contract/option-checks';
import { ASYNC_OWNER_MESSAGE, isAsyncFunction } from './gate/owner';

/** Default `maxLocalSessions`: about 100 MB of SDK servers and transports at most. */
export const DEFAULT_MAX_LOCAL_SESSIONS = 2_000;

/** Default `Retry-After` of an answer refused by `sessionLimits`, in seconds. */
export const DEFAULT_LIMIT_RETRY_AFTER = 60;

const OWNER = 'McpSessionModule';

type LimitOptions = Pick<McpSessionOptions, 'maxLocalSessions' | 'sessionLimits' | 'storeBreaker'>;

function checkObject(option: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object')
    throw invalidOption(OWNER, option, 'an object', value);
  return value as Record<string, unknown>;
}

/**
 * Applies defaults to and checks `maxLocalSessions`, `sessionLimits` and
 * `storeBreaker`, and refuses an `async` `resolveOwner` (it would make every
 * owned session look foreign).
 * @throws InvalidOptionError naming the option when one is invalid.
 */
export function resolveLimitOptions(
  raw: McpSessionModuleOptions,
  store: SessionStore,
): LimitOptions {
  if (isAsyncFunction(raw.resolveOwner)) {
    throw new InvalidOptionError('resolveOwner', `${OWNER}: ${ASYNC_OWNER_MESSAGE}`);
  }
  const resolved: LimitOptions = {
    maxLocalSessions: checkPositiveInteger(
      raw.maxLocalSessions ?? DEFAULT_MAX_LOCAL_SESSIONS,
      'maxLocalSessions',
      OWNER,
    ),
    storeBreaker: {},
  };
  if (raw.sessionLimits !== undefined) {
    const limits = checkObject('sessionLimits', raw.sessionLimits);
    const { perOwner, total, retryAfter = DEFAULT_LIMIT_RETRY_AFTER } = limits;
    resolved.sessionLimits = {
      retryAfter: checkPositiveInteger(retryAfter, 'sessionLimits.retryAfter', OWNER),
    };
    if (perOwner !== undefined) {
      resolved.sessionLimits.perOwner = checkPositiveInteger(
        perOwner,
        'sessionLimits.perOwner',
        OWNER,
      );
    }
    if (total !== undefined) {
      resolved.sessionLimits.total = checkPositiveInteger(total, 'sessionLimits.total', OWNER);
      if (typeof store.count !== 'function') {
        throw new InvalidOptionError(
          'sessionLimits',
          `${OWNER}: option "sessionLimits.total" needs a store with count(), and this store has none`,
        );
      }
    }
  }
  if (raw.storeBreaker === false) {
    resolved.storeBreaker = false;
  } else if (raw.storeBreaker !== undefined) {
    const breaker = checkObject('storeBreaker', raw.storeBreaker);
    const owner = { owner: OWNER };
    resolved.storeBreaker = {
      threshold: checkPositiveInteger(breaker.threshold ?? 3, 'storeBreaker.threshold', OWNER),
      cooldown: checkMilliseconds(breaker.cooldown ?? 500, 'storeBreaker.cooldown', owner),
    };
  }
  return resolved;
}
