/*
 * node-redis (`redis` 5 and 6: `createClient`, `createCluster`) seen through
 * the ioredis-shaped interfaces the Redis pieces are written against
 * (redis-client.ts): raw commands through `sendCommand` (so replies have
 * ioredis's shapes: strings, numbers, nested arrays), ioredis connection
 * states and events, `duplicate()` for subscriber connections, and
 * `nodes('master')` on a cluster. No type of the `redis` package is imported:
 * it is an optional peer.
 */
import { NodeRedisClient, NodeRedisCluster } from './node-redis.clients';
import type { NodeRedisClusterLike, NodeRedisLike } from './node-redis.types';

export type {
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisLike,
  NodeRedisShardNode,
} from './node-redis.types';

/** `true` for a node-redis client or cluster (ioredis clients have a `status` string). */
export function isNodeRedis(client: unknown): client is NodeRedisLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.status !== 'string' && typeof c.sendCommand === 'function' && 'isOpen' in c;
}

const isCluster = (client: NodeRedisLike): client is NodeRedisClusterLike =>
  typeof (client as NodeRedisClusterLike).nodeClient === 'function';

/**
 * The client the Redis pieces talk to: an ioredis client as it is, a
 * node-redis client or cluster behind its ioredis-shaped adapter.
 */
export function asIoredisShape<T>(client: T | NodeRedisLike): T {
  if (!isNodeRedis(client)) return client as T;
  const adapted = isCluster(client) ? new NodeRedisCluster(client) : new NodeRedisClient(client);
  return adapted as unknown as T;
}
