import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * Prefix of every key the store writes. Default `mcp:session:`. Use one
   * prefix per application sharing a Redis.
   */
  keyPrefix?: string;
  /**
   * Upper bound in ms for every store call; a call that Redis does not answer
   * in time rejects with `SessionStoreError` kind `backend`. Default 1000.
   */
  commandTimeout?: number;
  /**
   * Number of expiry-index buckets (1 to 1024), each a sorted set in its own
   * hash slot, so index writes spread over a cluster. Default 16. Part of
   * the key layout: every instance sharing `keyPrefix` must use the same
   * value, and changing it hides the sessions stored before.
   */
  indexBuckets?: number;
}

/** Connection options for a Redis Cluster the store opens (and owns). */
export interface RedisClusterConnectionOptions {
  /** Seed nodes of the cluster. */
  cluster: ClusterNode[];
  /** ioredis `Cluster` options; the store sets its own offline-queue and retry defaults first. */
  clusterOptions?: ClusterOptions;
}

/** How {@link RedisSessionStore.fromConnection} connects: a single node's options, or a cluster. */
export type RedisConnectionOptions = RedisOptions | RedisClusterConnectionOptions;

/** Options with defaults applied and checked. */
export interface ResolvedRedisSessionStoreOptions {
  keyPrefix: string;
  commandTimeout: number;
  indexBuckets: number;
}

function fail(option: string, expected: string, value: unknown): never {
  throw new TypeError(
    `RedisSessionStore: option "${option}" must be ${expected}, got ${String(value)}`,
  );
}

/**
 * Applies defaults and checks every option.
 * @throws TypeError naming the option that is wrong.
 */
export function resolveRedisOptions(
  options: RedisSessionStoreOptions = {},
): ResolvedRedisSessionStoreOptions {
  const { keyPrefix = 'mcp:session:', commandTimeout = 1000, indexBuckets = 16 } = options;
  if (typeof keyPrefix !== 'string') fail('keyPrefix', 'a string', keyPrefix);
  if (
    typeof commandTimeout !== 'number' ||
    !Number.isFinite(commandTimeout) ||
    commandTimeout <= 0
  ) {
    fail('commandTimeout', 'a positive number of milliseconds', commandTimeout);
  }
  if (!Number.isInteger(indexBuckets) || indexBuckets < 1 || indexBuckets > 1024) {
    fail('indexBuckets', 'an integer from 1 to 1024', indexBuckets);
  }
  return { keyPrefix, commandTimeout, indexBuckets };
}
