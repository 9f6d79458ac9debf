import { checkMilliseconds, invalidOption } from '../../contract/option-checks';
import { checkMaxRecordBytes } from '../../contract/record-size';
import type { RecordFormat } from './record.codec';

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
  /**
   * Largest value a write stores, in bytes: a `create`, `save` or `update`
   * of a larger record rejects with `SessionStoreError` kind `encode` naming
   * the limit, and writes nothing. An integer >= 1024, or `Infinity`.
   * Default 65 536 (64 KiB).
   */
  maxRecordBytes?: number;
  /**
   * The format version of the values the store writes. Default 3: no index,
   * and a `touch` is one `GETEX`. 2: the values and expiry index of version
   * 0.1 of this package, for the first step of a rolling upgrade from it
   * (README, "Upgrading"). The store reads and serves values of every version
   * whatever this option says.
   */
  recordFormat?: RecordFormat;
}

/**
 * ioredis `RedisOptions` for a single node the store opens (and owns), passed
 * to ioredis as given: the common ones are named here, any other is accepted.
 */
export interface RedisNodeConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: object;
  // Any other ioredis option; ioredis checks it (its types are an optional peer's).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [option: string]: any;
}

/** Connection options for a Redis Cluster the store opens (and owns). */
export interface RedisClusterConnectionOptions {
  /** Seed nodes of the cluster: `{ host, port }`, a port, or a `host:port` string. */
  cluster: ({ host?: string; port?: number } | number | string)[];
  /** ioredis `ClusterOptions`; the store sets its own offline-queue and retry defaults first. */
  clusterOptions?: RedisNodeConnectionOptions & { redisOptions?: RedisNodeConnectionOptions };
}

/** How {@link RedisSessionStore.fromConnection} connects: a single node's options, or a cluster. */
export type RedisConnectionOptions = RedisNodeConnectionOptions | RedisClusterConnectionOptions;

/** Options with defaults applied and checked. */
export interface ResolvedRedisSessionStoreOptions {
  keyPrefix: string;
  commandTimeout: number;
  indexBuckets: number;
  maxRecordBytes: number;
  recordFormat: RecordFormat;
}

const OWNER = 'RedisSessionStore';

/**
 * Applies defaults and checks every option.
 * @throws InvalidOptionError naming the option that is wrong.
 */
export function resolveRedisOptions(
  options: RedisSessionStoreOptions = {},
): ResolvedRedisSessionStoreOptions {
  const { keyPrefix = 'mcp:session:', commandTimeout = 1000, indexBuckets = 16 } = options;
  if (typeof keyPrefix !== 'string') throw invalidOption(OWNER, 'keyPrefix', 'a string', keyPrefix);
  checkMilliseconds(commandTimeout, 'commandTimeout', { owner: OWNER });
  if (!Number.isInteger(indexBuckets) || indexBuckets < 1 || indexBuckets > 1024) {
    throw invalidOption(OWNER, 'indexBuckets', 'an integer from 1 to 1024', indexBuckets);
  }
  const maxRecordBytes = checkMaxRecordBytes(options.maxRecordBytes, OWNER);
  const { recordFormat = 3 } = options;
  if (recordFormat !== 2 && recordFormat !== 3) {
    throw invalidOption(OWNER, 'recordFormat', '2 or 3', recordFormat);
  }
  return { keyPrefix, commandTimeout, indexBuckets, maxRecordBytes, recordFormat };
}
