/*
 * The ioredis clients the Redis stores talk to, written out as the commands
 * they send, so that the package's types do not import ioredis (an optional
 * peer dependency): an ioredis 5 or 6 `Redis` or `Cluster` fits them as it is.
 */

/** A listener as Node's `EventEmitter` (and so ioredis) declares it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** The connection events of an ioredis client (`ready`, `error`, `end`, ...). */
export interface RedisEvents {
  /** ioredis connection status: `ready`, `reconnecting`, `end`, ... */
  readonly status: string;
  /** `true` for an ioredis `Cluster`. */
  readonly isCluster: boolean;
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  /** Closes the connection at once. */
  disconnect(): void;
}

/** A MULTI/EXEC transaction with the commands the store queues in it. */
export interface RedisTransaction {
  set(key: string, value: string, mode: 'PXAT', unixTimeMs: number): RedisTransaction;
  del(key: string): RedisTransaction;
  zadd(key: string, score: number, member: string): RedisTransaction;
  zrem(key: string, member: string): RedisTransaction;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * What {@link RedisSessionStore} needs of its client: an ioredis `Redis`
 * (single node) or `Cluster`.
 */
export interface RedisClient extends RedisEvents {
  get(key: string): Promise<string | null>;
  getex(key: string, mode: 'PXAT', unixTimeMs: number): Promise<string | null>;
  pexpiretime(key: string): Promise<number>;
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  multi(): RedisTransaction;
  zcount(key: string, min: number | string, max: number | string): Promise<number>;
  zremrangebyscore(key: string, min: number | string, max: number | string): Promise<number>;
  quit(): Promise<unknown>;
}

/** An ioredis single-node `Redis` client, as the invalidation channel publishes and subscribes with it. */
export interface RedisNodeClient extends RedisEvents {
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string): Promise<unknown>;
  /** A new connection with the same settings, `override` applied. */
  duplicate(override?: object): RedisNodeClient;
}

/** An ioredis `Cluster` client: the channel publishes with it and subscribes on one of its masters. */
export interface RedisClusterClient extends RedisEvents {
  publish(channel: string, message: string): Promise<number>;
  nodes(role: 'master'): RedisNodeClient[];
}

/** What {@link RedisInvalidationChannel} publishes through: an ioredis `Redis` or `Cluster`. */
export type RedisInvalidationClient = RedisNodeClient | RedisClusterClient;
