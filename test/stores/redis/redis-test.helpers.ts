import Redis, { Cluster } from 'ioredis';
import {
  type RedisClusterHandle,
  type RedisNode,
  startRedisCluster,
  startRedisNode,
} from '../../support/redis-harness';

/** An ioredis client the tests open: a single node or a cluster. */
export type RedisClient = Redis | Cluster;

let prefixes = 0;
/** A key prefix no other test uses, so every store starts empty. */
export const freshPrefix = (label = 't'): string => `${label}:${process.pid}:${++prefixes}:`;

/** A topology under test: how to open a client on the harness servers. */
export interface Topology {
  name: string;
  connect(): RedisClient;
}

export function singleNode(node: () => RedisNode): Topology {
  return { name: 'single node', connect: () => new Redis(node().port, '127.0.0.1') };
}

export function cluster(handle: () => RedisClusterHandle): Topology {
  return { name: '3-master cluster', connect: () => new Cluster(handle().nodes) };
}

/**
 * Starts a single node and a 3-master cluster for the calling spec file
 * (`beforeAll`) and stops them by port (`afterAll`).
 * @returns accessors for both, and one {@link Topology} for each.
 */
export function useRedisServers(): {
  node: () => RedisNode;
  cluster: () => RedisClusterHandle;
  topologies: Topology[];
} {
  let node: RedisNode | undefined;
  let handle: RedisClusterHandle | undefined;
  beforeAll(async () => {
    node = await startRedisNode();
    handle = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await handle?.stop();
  });
  const getNode = (): RedisNode => node!;
  const getCluster = (): RedisClusterHandle => handle!;
  return {
    node: getNode,
    cluster: getCluster,
    topologies: [singleNode(getNode), cluster(getCluster)],
  };
}

/** Every key under `prefix`, on every master (SCAN, test use only). */
export async function keysUnder(client: RedisClient, prefix: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}

/** Closes a test's client. */
export async function closeQuietly(client: RedisClient): Promise<void> {
  await client.quit().catch(() => undefined);
  client.disconnect();
}
