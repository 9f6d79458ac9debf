/*
 * node-redis (`redis` 5 and 6: `createClient`, `createCluster`) seen through
 * the ioredis-shaped interfaces the Redis pieces are written against
 * (redis-client.ts): raw commands through `sendCommand` (so replies have
 * ioredis's shapes: strings, numbers, nested arrays), ioredis connection
 * states and events, `duplicate()` for subscriber connections, and
 * `nodes('master')` on a cluster. No type of the `redis` package is imported:
 * it is an optional peer.
 */
import { EventEmitter } from 'node:events';
import { errorMessage } from '../../contract/session-store.error';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;
type Arg = string | number;

/** What we use of a node-redis single-node client (`createClient()`), connected by its owner. */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisClientLike;
  connect(): Promise<unknown>;
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
}

/** A cluster master as node-redis lists it (`cluster.masters`). */
export interface NodeRedisShardNode {
  readonly host: string;
  readonly port: number;
}

/** What we use of a node-redis cluster client (`createCluster()`), connected by its owner. */
export interface NodeRedisClusterLike {
  readonly isOpen: boolean;
  readonly masters: readonly NodeRedisShardNode[];
  sendCommand(firstKey: string | undefined, isReadonly: boolean, args: string[]): Promise<unknown>;
  nodeClient(node: NodeRedisShardNode): Promise<NodeRedisClientLike> | NodeRedisClientLike;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
}

/** A node-redis client or cluster, as users pass it to the Redis pieces. */
export type NodeRedisLike = NodeRedisClientLike | NodeRedisClusterLike;

/** `true` for a node-redis client or cluster (ioredis clients have a `status` string). */
export function isNodeRedis(client: unknown): client is NodeRedisLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.status !== 'string' && typeof c.sendCommand === 'function' && 'isOpen' in c;
}

const isCluster = (client: NodeRedisLike): client is NodeRedisClusterLike =>
  typeof (client as NodeRedisClusterLike).nodeClient === 'function';

/** ioredis event names on node-redis ones: `close` is a lost connection. */
const EVENTS: Record<string, string[]> = { close: ['reconnecting', 'end'] };
const eventsOf = (event: string): string[] => EVENTS[event] ?? [event];

/** Closes a node-redis client we opened: `destroy` (5, 6) or `disconnect` (older). */
function destroy(client: object): void {
  const c = client as { destroy?: () => unknown; disconnect?: () => unknown };
  try {
    const closing = c.destroy ? c.destroy() : c.disconnect?.();
    void Promise.resolve(closing).catch(() => undefined);
  } catch {
    // already closed
  }
}

/** Closes a node-redis client gracefully: `close` (5, 6) or `quit` (older). */
async function close(client: object): Promise<unknown> {
  const c = client as { close?: () => Promise<unknown>; quit?: () => Promise<unknown> };
  return c.close ? c.close() : c.quit?.();
}

/**
 * The commands of the Redis pieces over one `send(firstKey, args)`: replies
 * as node-redis's RESP2 decoding gives them, which are ioredis's shapes.
 */
abstract class Commands {
  protected abstract send(firstKey: string | undefined, args: Arg[]): Promise<unknown>;

  get(key: string): Promise<string | null> {
    return this.send(key, ['GET', key]) as Promise<string | null>;
  }
  evalsha(sha: string, numKeys: number, ...rest: Arg[]): Promise<unknown> {
    return this.send(numKeys > 0 ? String(rest[0]) : undefined, ['EVALSHA', sha, numKeys, ...rest]);
  }
  eval(script: string, numKeys: number, ...rest: Arg[]): Promise<unknown> {
    return this.send(numKeys > 0 ? String(rest[0]) : undefined, ['EVAL', script, numKeys, ...rest]);
  }
  zcount(key: string, min: Arg, max: Arg): Promise<number> {
    return this.send(key, ['ZCOUNT', key, min, max]) as Promise<number>;
  }
  zremrangebyscore(key: string, min: Arg, max: Arg): Promise<number> {
    return this.send(key, ['ZREMRANGEBYSCORE', key, min, max]) as Promise<number>;
  }
  del(key: string): Promise<number> {
    return this.send(key, ['DEL', key]) as Promise<number>;
  }
  pexpire(key: string, ms: number): Promise<number> {
    return this.send(key, ['PEXPIRE', key, ms]) as Promise<number>;
  }
  xadd(key: string, ...args: Arg[]): Promise<string | null> {
    return this.send(key, ['XADD', key, ...args]) as Promise<string | null>;
  }
  xrange(key: string, start: string, end: string): Promise<[string, string[]][]> {
    return this.send(key, ['XRANGE', key, start, end]) as Promise<[string, string[]][]>;
  }
  publish(channel: string, message: string): Promise<number> {
    return this.send(undefined, ['PUBLISH', channel, message]) as Promise<number>;
  }
}

const strings = (args: Arg[]): string[] => args.map(String);

/** A node-redis single-node client as an ioredis `Redis`. */
class NodeRedisClient extends Commands {
  readonly isCluster = false;
  private readonly listeners = new Map<Listener, Listener>();

  constructor(readonly native: NodeRedisClientLike) {
    super();
  }

  /** ioredis's states: `ready`, `reconnecting` while open but not ready, `end` once closed (or never opened). */
  get status(): string {
    if (this.native.isReady) return 'ready';
    return this.native.isOpen ? 'reconnecting' : 'end';
  }

  protected send(_firstKey: string | undefined, args: Arg[]): Promise<unknown> {
    return this.native.sendCommand(strings(args));
  }

  on(event: string, listener: Listener): this {
    for (const name of eventsOf(event)) this.native.on(name, listener);
    return this;
  }
  once(event: string, listener: Listener): this {
    for (const name of eventsOf(event)) this.native.once(name, listener);
    return this;
  }
  off(event: string, listener: Listener): this {
    for (const name of eventsOf(event)) this.native.off(name, listener);
    return this;
  }
  disconnect(): void {
    destroy(this.native);
  }
  quit(): Promise<unknown> {
    return close(this.native);
  }
  /** A subscriber connection of ours: a `duplicate()` of this client, connected now. */
  duplicate(): NodeRedisSubscriber {
    return new NodeRedisSubscriber(async () => this.native.duplicate());
  }
}

/**
 * A subscriber connection we open (a node-redis duplicate), as an ioredis
 * `Redis` in subscriber mode: `ready`, `close`, `error` and `message`
 * (channel, message) events, `subscribe(channel)`. node-redis subscribes
 * again by itself after a reconnection, before `ready`; a second
 * `subscribe` of a channel adds no listener and sends nothing.
 */
class NodeRedisSubscriber extends EventEmitter {
  readonly isCluster = false;
  private native?: NodeRedisClientLike;
  private closed = false;
  private state = 'connecting';

  constructor(open: () => Promise<NodeRedisClientLike>) {
    super();
    void this.start(open);
  }

  get status(): string {
    return this.state;
  }

  private async start(open: () => Promise<NodeRedisClientLike>): Promise<void> {
    let native: NodeRedisClientLike;
    try {
      native = await open();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.closed) return;
    this.native = native;
    native.on('error', (error: Error) => this.fail(error));
    native.on('ready', () => this.moveTo('ready', 'ready'));
    native.on('reconnecting', () => this.moveTo('reconnecting', 'close'));
    native.on('end', () => this.moveTo('end', 'close'));
    native.connect().catch((error: unknown) => this.fail(error));
  }

  private moveTo(state: string, event: string): void {
    this.state = state;
    if (!this.closed) this.emit(event);
  }

  private fail(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(errorMessage(error));
    if (!this.closed && this.listenerCount('error') > 0) this.emit('error', failure);
  }

  private readonly deliver = (message: string, channel: string): void => {
    if (!this.closed) this.emit('message', channel, message);
  };

  async subscribe(channel: string): Promise<unknown> {
    if (!this.native) throw new Error('Redis connection is connecting');
    return this.native.subscribe(channel, this.deliver);
  }

  disconnect(): void {
    this.closed = true;
    this.state = 'end';
    if (this.native) destroy(this.native);
  }
}

/** A cluster master as an ioredis cluster node: publishes through it, duplicates it for a subscriber. */
class NodeRedisMaster extends Commands {
  readonly isCluster = false;
  readonly options: { host: string; port: number };

  constructor(
    private readonly cluster: NodeRedisClusterLike,
    private readonly node: NodeRedisShardNode,
  ) {
    super();
    this.options = { host: node.host, port: node.port };
  }

  get status(): string {
    return this.cluster.isOpen ? 'ready' : 'end';
  }

  protected async send(_firstKey: string | undefined, args: Arg[]): Promise<unknown> {
    const client = await this.cluster.nodeClient(this.node);
    return client.sendCommand(strings(args));
  }

  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
  off(): this {
    return this;
  }
  disconnect(): void {
    // The cluster owns its node connections.
  }
  duplicate(): NodeRedisSubscriber {
    return new NodeRedisSubscriber(async () =>
      (await this.cluster.nodeClient(this.node)).duplicate(),
    );
  }
}

/** A node-redis cluster as an ioredis `Cluster`. */
class NodeRedisCluster extends Commands {
  readonly isCluster = true;

  constructor(readonly native: NodeRedisClusterLike) {
    super();
  }

  /** `ready` while the cluster is open (node-redis routes and reconnects per node), else `end`. */
  get status(): string {
    return this.native.isOpen ? 'ready' : 'end';
  }

  /** Every command goes to the key's master (never a replica: a stale read could revive a session). */
  protected send(firstKey: string | undefined, args: Arg[]): Promise<unknown> {
    return this.native.sendCommand(firstKey, false, strings(args));
  }

  nodes(role: 'master'): NodeRedisMaster[] {
    void role;
    return this.native.masters.map((node) => new NodeRedisMaster(this.native, node));
  }

  on(event: string, listener: Listener): this {
    // 'ready' for ioredis's Cluster; node-redis's cluster is ready once open.
    for (const name of eventsOf(event === 'ready' ? 'connect' : event))
      this.native.on(name, listener);
    return this;
  }
  once(event: string, listener: Listener): this {
    for (const name of eventsOf(event === 'ready' ? 'connect' : event)) {
      this.native.once(name, listener);
    }
    return this;
  }
  off(event: string, listener: Listener): this {
    for (const name of eventsOf(event === 'ready' ? 'connect' : event))
      this.native.off(name, listener);
    return this;
  }
  disconnect(): void {
    destroy(this.native);
  }
  quit(): Promise<unknown> {
    return close(this.native);
  }
}

/**
 * The client the Redis pieces talk to: an ioredis client as it is, a
 * node-redis client or cluster behind its ioredis-shaped adapter.
 */
export function asIoredisShape<T>(client: T | NodeRedisLike): T {
  if (!isNodeRedis(client)) return client as T;
  const adapted = isCluster(client) ? new NodeRedisCluster(client) : new NodeRedisClient(client);
  return adapted as unknown as T;
}
