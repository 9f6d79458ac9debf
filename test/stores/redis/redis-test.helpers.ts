import Redis, { Cluster } from 'ioredis';
import Redis6, { Cluster as Cluster6 } from 'ioredis6';
import { createClient, createCluster } from 'redis';
import { createClient as createClient6, createCluster as createCluster6 } from 'redis6';
import type { NodeRedisLike } from '../../../lib/stores/redis/node-redis.adapter';
import {
  type RedisClusterHandle,
  type RedisNode,
  startRedisCluster,
  startRedisNode,
} from '../../support/redis-harness';

/*
 * The Redis specs run on every client a user may pass (issue 13): ioredis 5
 * and 6, node-redis 5 and 6, each on a single node and on a 3-master cluster.
 * The client under test is what the Redis pieces get; raw inspection and
 * manipulation (corrupt values, SCAN, CLIENT LIST/KILL, commandstats) go
 * through a separate ioredis 5 `admin` connection.
 */

/** The client libraries the Redis pieces accept. */
export type ClientKind = 'ioredis 5' | 'ioredis 6' | 'node-redis 5' | 'node-redis 6';
export const CLIENT_KINDS: readonly ClientKind[] = [
  'ioredis 5',
  'ioredis 6',
  'node-redis 5',
  'node-redis 6',
];

/**
 * A client as a user passes it to the Redis pieces: an ioredis 5 or 6 `Redis`
 * or `Cluster`, a node-redis 5 or 6 client or cluster (connected). ioredis 6
 * clients are typed as ioredis 5's and node-redis ones as the adapter's
 * `NodeRedisLike`: a union of the libraries' own classes costs ts-jest about
 * 30 s per spec file to check. That their own types are accepted as they are
 * is checked once, by tsc, in client-types.check.ts.
 */
export type RedisClient = Redis | Cluster | NodeRedisLike;

/** The connection tests inspect and manipulate Redis with, never the one under test: ioredis 5. */
export type AdminClient = Redis | Cluster;

/** Options for one kind of client; each kind reads only its own. */
export interface ClientOptions {
  /** ioredis 5 and 6 (`new Redis(port, host, options)`; a cluster's `redisOptions`). */
  ioredis?: { maxRetriesPerRequest?: number | null; enableOfflineQueue?: boolean };
  /** node-redis 5 and 6 (`createClient({ url, ...options })`; a cluster's `defaults`). */
  nodeRedis?: Record<string, unknown>;
}

let prefixes = 0;
/** A key prefix no other test uses, so every store starts empty. */
export const freshPrefix = (label = 't'): string => `${label}:${process.pid}:${++prefixes}:`;

/** A topology under test: one kind of client on the harness servers. */
export interface Topology {
  /** e.g. `3-master cluster, node-redis 6` */
  readonly name: string;
  readonly kind: ClientKind;
  readonly cluster: boolean;
  /**
   * A new client of this kind, as a user passes it: ioredis connecting (not
   * awaited, as users do), node-redis connected (`await connect()`, as the
   * Redis pieces require). Every one has an `error` listener that ignores
   * them, as an application's would log them (without one, node-redis throws
   * its connection errors and ioredis prints each one).
   */
  connect(options?: ClientOptions): Promise<RedisClient>;
  /** The spec file's ioredis 5 admin connection to the same servers (opened by useRedisMatrix / useRedisNode). */
  admin(): AdminClient;
}

const HOST = '127.0.0.1';
const url = (port: number) => `redis://${HOST}:${port}`;

/** Errors are the pieces' business here: an application's listener would log them. */
function quiet<T extends { on(event: 'error', listener: () => void): unknown }>(client: T): T {
  client.on('error', () => {});
  return client;
}

/** node-redis connected (with an `error` listener first: without one, a connection error throws). */
async function connected(client: {
  on(event: 'error', listener: () => void): unknown;
  connect(): Promise<unknown>;
}): Promise<NodeRedisLike> {
  await quiet(client).connect();
  return client as unknown as NodeRedisLike;
}

/** An ioredis 6 client, typed as ioredis 5's (see {@link RedisClient}). */
const asIoredis5 = <T>(client: Redis6 | Cluster6): T => quiet(client) as unknown as T;

/** Opens a client of `kind` on one node (`port`) or a cluster (`nodes`). */
export async function openClient(
  kind: ClientKind,
  target: { port: number } | { nodes: { host: string; port: number }[] },
  options: ClientOptions = {},
): Promise<RedisClient> {
  const nodeRedis = options.nodeRedis ?? {};
  if ('nodes' in target) {
    const rootNodes = target.nodes.map((node) => ({ url: url(node.port) }));
    switch (kind) {
      case 'ioredis 5':
        return quiet(new Cluster(target.nodes, { redisOptions: options.ioredis }));
      case 'ioredis 6':
        return asIoredis5<Cluster>(new Cluster6(target.nodes, { redisOptions: options.ioredis }));
      case 'node-redis 5':
        return connected(createCluster({ rootNodes, defaults: nodeRedis }));
      case 'node-redis 6':
        return connected(createCluster6({ rootNodes, defaults: nodeRedis }));
    }
  }
  const { port } = target;
  switch (kind) {
    case 'ioredis 5':
      return quiet(new Redis(port, HOST, options.ioredis ?? {}));
    case 'ioredis 6':
      return asIoredis5<Redis>(new Redis6(port, HOST, options.ioredis ?? {}));
    case 'node-redis 5':
      return connected(createClient({ url: url(port), ...nodeRedis }));
    case 'node-redis 6':
      return connected(createClient6({ url: url(port), ...nodeRedis }));
  }
}

const noAdmin = (): never => {
  throw new Error('this topology has no admin connection: open one with useRedisNode()');
};

export function singleNode(
  node: () => RedisNode,
  kind: ClientKind = 'ioredis 5',
  admin: () => AdminClient = noAdmin,
): Topology {
  return {
    name: `single node, ${kind}`,
    kind,
    cluster: false,
    connect: (options) => openClient(kind, { port: node().port }, options),
    admin,
  };
}

export function cluster(
  handle: () => RedisClusterHandle,
  kind: ClientKind = 'ioredis 5',
  admin: () => AdminClient = noAdmin,
): Topology {
  return {
    name: `3-master cluster, ${kind}`,
    kind,
    cluster: true,
    connect: (options) => openClient(kind, { nodes: handle().nodes }, options),
    admin,
  };
}

/** Only the topologies of `kinds` (for the few specs that need not run on every client). */
export const ofKinds = (topologies: Topology[], ...kinds: ClientKind[]): Topology[] =>
  topologies.filter((topology) => kinds.includes(topology.kind));

/** An ioredis 5 cluster client that knows its masters (`nodes('master')` is empty before). */
async function adminCluster(handle: RedisClusterHandle): Promise<Cluster> {
  const admin = new Cluster(handle.nodes);
  await admin.ping();
  while (admin.nodes('master').length < handle.nodes.length) await admin.cluster('SLOTS');
  return admin;
}

/**
 * Starts a single node and a 3-master cluster for the calling spec file
 * (`beforeAll`) and stops them by port (`afterAll`), with an ioredis admin
 * connection to each.
 * @returns accessors for both, and one {@link Topology} for each client kind
 *   on each (8: single node first, every kind, then the cluster).
 */
export function useRedisMatrix(): {
  node: () => RedisNode;
  cluster: () => RedisClusterHandle;
  topologies: Topology[];
} {
  let node: RedisNode | undefined;
  let handle: RedisClusterHandle | undefined;
  let nodeAdmin: Redis | undefined;
  let clusterAdmin: Cluster | undefined;
  beforeAll(async () => {
    node = await startRedisNode();
    handle = await startRedisCluster();
    nodeAdmin = new Redis(node.port, HOST);
    clusterAdmin = await adminCluster(handle);
  }, 60_000);
  afterAll(async () => {
    if (nodeAdmin) await closeQuietly(nodeAdmin);
    if (clusterAdmin) await closeQuietly(clusterAdmin);
    await node?.stop();
    await handle?.stop();
  });
  const getNode = (): RedisNode => node!;
  const getCluster = (): RedisClusterHandle => handle!;
  return {
    node: getNode,
    cluster: getCluster,
    topologies: [
      ...CLIENT_KINDS.map((kind) => singleNode(getNode, kind, () => nodeAdmin!)),
      ...CLIENT_KINDS.map((kind) => cluster(getCluster, kind, () => clusterAdmin!)),
    ],
  };
}

/** An ioredis 5 topology whose `connect` returns the client at once (the SDK routing cases use it). */
export interface IoredisTopology {
  name: string;
  connect(): Redis | Cluster;
}

/**
 * Starts a single node and a 3-master cluster for the calling spec file
 * (`beforeAll`) and stops them by port (`afterAll`); ioredis 5 only (the
 * store specs run every client kind with {@link useRedisMatrix}).
 * @returns accessors for both, and one {@link IoredisTopology} for each.
 */
export function useRedisServers(): {
  node: () => RedisNode;
  cluster: () => RedisClusterHandle;
  topologies: IoredisTopology[];
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
  return {
    node: () => node!,
    cluster: () => handle!,
    topologies: [
      { name: 'single node', connect: () => new Redis(node!.port, HOST) },
      { name: '3-master cluster', connect: () => new Cluster(handle!.nodes) },
    ],
  };
}

/**
 * Starts a single node for the calling spec file, with an ioredis admin
 * connection to it.
 * @returns the node, the admin connection, and one {@link Topology} per client kind.
 */
export function useRedisNode(extraArgs: string[] = []): {
  node: () => RedisNode;
  admin: () => Redis;
  topologies: Topology[];
} {
  let node: RedisNode | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    node = await startRedisNode(extraArgs);
    admin = new Redis(node.port, HOST);
  });
  afterAll(async () => {
    if (admin) await closeQuietly(admin);
    await node?.stop();
  });
  const getAdmin = (): Redis => admin!;
  return {
    node: () => node!,
    admin: getAdmin,
    topologies: CLIENT_KINDS.map((kind) => singleNode(() => node!, kind, getAdmin)),
  };
}

/** Every key under `prefix`, on every master (SCAN, test use only). */
export async function keysUnder(admin: AdminClient, prefix: string): Promise<string[]> {
  const nodes = admin instanceof Cluster ? admin.nodes('master') : [admin];
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

/** How the helpers see a node-redis client or cluster (the libraries' own types differ by major). */
interface NodeRedisHandle {
  readonly isOpen: boolean;
  readonly isReady?: boolean;
  nodeClient?: unknown;
  close(): Promise<unknown>;
  destroy(): unknown;
}

const isIoredis = (client: RedisClient | AdminClient): client is Redis | Cluster =>
  typeof (client as { status?: unknown }).status === 'string';
const nodeRedis = (client: RedisClient): NodeRedisHandle => client as unknown as NodeRedisHandle;

/** `true` for a cluster client of any kind. */
export function isClusterClient(client: RedisClient): boolean {
  return isIoredis(client) ? client.isCluster : typeof nodeRedis(client).nodeClient === 'function';
}

/** `true` once the client can send commands (ioredis `ready`; node-redis `isReady`, `isOpen` for a cluster). */
export function isReady(client: RedisClient): boolean {
  if (isIoredis(client)) return client.status === 'ready';
  const handle = nodeRedis(client);
  return handle.isReady ?? handle.isOpen;
}

/** `true` once the client is closed for good (ioredis `end`, node-redis not open). */
export function isClosed(client: RedisClient): boolean {
  return isIoredis(client) ? client.status === 'end' : !nodeRedis(client).isOpen;
}

/** Commands without a key: sent to any node of a cluster. */
const KEYLESS = new Set(['PING', 'PUBLISH', 'CLIENT', 'INFO', 'TIME']);

/**
 * Sends a raw command on the client under test itself (not the admin
 * connection): it is ordered with the commands the pieces send on it. On a
 * cluster it goes to the master of its first key (`args[1]`).
 */
export function send(client: RedisClient, ...args: (string | number)[]): Promise<unknown> {
  const strings = args.map(String);
  const [name, ...rest] = strings;
  if (isIoredis(client)) return (client as Redis).call(name, ...rest);
  const key = KEYLESS.has(name.toUpperCase()) ? undefined : rest[0];
  if (isClusterClient(client)) {
    const c = client as unknown as {
      sendCommand(key: string | undefined, readonly: boolean, args: string[]): Promise<unknown>;
    };
    return c.sendCommand(key, false, strings);
  }
  return (client as unknown as { sendCommand(args: string[]): Promise<unknown> }).sendCommand(
    strings,
  );
}

/** The commands a client is asked to send from now on, as `[name, ...args]` (name lower case). */
export interface CommandLog {
  readonly commands: () => string[][];
  /** The commands named `name`. */
  readonly named: (name: string) => string[][];
  readonly restore: () => void;
}

/**
 * Records the commands sent through the client under test, whatever its kind
 * (a spy on its `sendCommand`: ioredis gets a `Command`, node-redis the
 * arguments, a node-redis cluster `(firstKey, isReadonly, args)`).
 */
export function logCommands(client: RedisClient): CommandLog {
  const spy = jest.spyOn(
    client as unknown as { sendCommand(...a: unknown[]): unknown },
    'sendCommand',
  );
  const ioredis = isIoredis(client);
  const clustered = isClusterClient(client);
  const commands = (): string[][] =>
    spy.mock.calls.map((call) => {
      if (ioredis) {
        const command = call[0] as { name: string; args: unknown[] };
        return [command.name.toLowerCase(), ...command.args.map(String)];
      }
      const [name, ...rest] = (clustered ? call[2] : call[0]) as string[];
      return [name.toLowerCase(), ...rest];
    });
  return {
    commands,
    named: (name) => commands().filter(([command]) => command === name),
    restore: () => spy.mockRestore(),
  };
}

/** Resolves once `promise` settles or `ms` have passed. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

/**
 * Closes a test's client of any kind. ioredis: QUIT, then disconnect.
 * node-redis: `close()` (waits for the replies of commands in flight) while it
 * is ready, else `destroy()` (a closing node-redis client cannot be destroyed
 * any more).
 */
export async function closeQuietly(client: RedisClient | AdminClient): Promise<void> {
  if (isIoredis(client)) {
    await client.quit().catch(() => undefined);
    client.disconnect();
    return;
  }
  const handle = nodeRedis(client);
  if (!handle.isOpen) return;
  try {
    if (handle.isReady ?? true) await within(handle.close(), 5_000);
    else await Promise.resolve(handle.destroy()).catch(() => undefined);
  } catch {
    // closed meanwhile
  }
}

/**
 * Collects into `sent` the promise of every PUBLISH `client` is asked to send
 * from now on (a wrapper of its `sendCommand`: ioredis gets a `Command`
 * named `publish`, node-redis `['PUBLISH', channel, message]`).
 * @returns `sent`
 */
export function trackPublishes(
  client: RedisClient,
  sent: Promise<unknown>[] = [],
): Promise<unknown>[] {
  const target = client as unknown as { sendCommand(...args: unknown[]): Promise<unknown> };
  const original = target.sendCommand.bind(target);
  const clustered = !isIoredis(client) && isClusterClient(client);
  target.sendCommand = (...args: unknown[]) => {
    const result = original(...args);
    const first = (clustered ? args[2] : args[0]) as { name?: string } | string[];
    const name = Array.isArray(first) ? first[0] : first.name;
    if (String(name).toLowerCase() === 'publish') sent.push(result);
    return result;
  };
  return sent;
}
