import {
  checkMilliseconds,
  checkPositiveInteger,
  invalidOption,
} from '../../contract/option-checks';
import type { EventStoreBounds } from '../../interfaces/session-event-store.interface';
import type { RedisEvents } from './redis-client';

/** Options of `RedisEventStore`. */
export interface RedisEventStoreOptions extends EventStoreBounds {
  /** Prefix of the stream keys: `<keyPrefix>{<session id>}`. Default `mcp:events:`. */
  keyPrefix?: string;
  /** How long one Redis command may take before the call fails, in ms. Default 1000. */
  commandTimeout?: number;
}

/**
 * The commands `RedisEventStore` sends: an ioredis 5 `Redis` or `Cluster` fits
 * as it is (declared here so that the package's types need no ioredis).
 */
export interface RedisEventStoreClient extends RedisEvents {
  xadd(key: string, ...args: (string | number)[]): Promise<string | null>;
  xrange(key: string, start: string, end: string): Promise<[string, string[]][]>;
  pexpire(key: string, milliseconds: number): Promise<number>;
  del(key: string): Promise<number>;
}

const OWNER = 'RedisEventStore';

/**
 * Applies defaults and checks the options.
 * @throws InvalidOptionError naming the option when one is invalid.
 */
export function resolveEventStoreOptions(
  options: RedisEventStoreOptions = {},
): Required<RedisEventStoreOptions> {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption(OWNER, 'options', 'an object', options);
  }
  const { keyPrefix = 'mcp:events:' } = options;
  if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) {
    throw invalidOption(OWNER, 'keyPrefix', 'a string without braces', keyPrefix);
  }
  return {
    keyPrefix,
    maxLength: checkPositiveInteger(options.maxLength ?? 1_000, 'maxLength', OWNER),
    maxAge: checkMilliseconds(options.maxAge ?? 10 * 60_000, 'maxAge', { owner: OWNER }),
    commandTimeout: checkMilliseconds(options.commandTimeout ?? 1_000, 'commandTimeout', {
      owner: OWNER,
    }),
  };
}

/** A connection opened by `fromUrl`: a command during an outage fails instead of queueing. */
export const EVENT_STORE_CONNECTION = {
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number): number => Math.min(attempt * 50, 1_000),
  connectionName: 'mcp-event-store',
};
