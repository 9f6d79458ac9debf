import { NodeRedisSubscriber, subscriberOptions } from './node-redis.subscriber';
import {
  type Arg,
  close,
  destroy,
  eventsOf,
  type Listener,
  named,
  type NodeRedisClientLike,
  type NodeRedisClusterLike,
  type NodeRedisShardNode,
} from './node-redis.types';

/**
 * The commands of the Redis pieces over one `send(firstKey, args)`: replies
 * as node-redis's RESP2 decoding gives them, which are ioredis's shapes.
 */
abstract class Commands {
  protected abstract send(firstKey: string | undefined, args: Arg[]): Promise<unknown>;

  get(key: string): Promise<string | null> {
    return this.send(key, ['GET', key]) as Promise<string | null>;
  }
  getex(key: string, mode: 'PXAT', unixTimeMs: number): Promise<string | null> {
    return this.send(key, ['GETEX', key, mode, unixTimeMs]) as Promise<string | null>;
  }
  pexpiretime(key: string): Promise<number> {
    return this.send(key, ['PEXPIRETIME', key]) as Promise<number>;
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
export class NodeRedisClient extends Commands {
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
    return this.native.sendCommand(strings(args)).catch(named);
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
  duplicate(overrides?: object): NodeRedisSubscriber {
    const native = this.native;
    return new NodeRedisSubscriber(async () =>
      native.duplicate(subscriberOptions(native, overrides)),
    );
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
    return client.sendCommand(strings(args)).catch(named);
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
  duplicate(overrides?: object): NodeRedisSubscriber {
    return new NodeRedisSubscriber(async () => {
      const native = await this.cluster.nodeClient(this.node);
      return native.duplicate(subscriberOptions(native, overrides));
    });
  }
}

/** ioredis's Cluster events on node-redis's: its cluster is ready once open (`connect`). */
const clusterEventsOf = (event: string): string[] =>
  eventsOf(event === 'ready' ? 'connect' : event);

/** A node-redis cluster as an ioredis `Cluster`. */
export class NodeRedisCluster extends Commands {
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
    return this.native.sendCommand(firstKey, false, strings(args)).catch(named);
  }

  nodes(role: 'master'): NodeRedisMaster[] {
    void role;
    return this.native.masters.map((node) => new NodeRedisMaster(this.native, node));
  }

  on(event: string, listener: Listener): this {
    for (const name of clusterEventsOf(event)) this.native.on(name, listener);
    return this;
  }
  once(event: string, listener: Listener): this {
    for (const name of clusterEventsOf(event)) this.native.once(name, listener);
    return this;
  }
  off(event: string, listener: Listener): this {
    for (const name of clusterEventsOf(event)) this.native.off(name, listener);
    return this;
  }
  disconnect(): void {
    destroy(this.native);
  }
  quit(): Promise<unknown> {
    return close(this.native);
  }
}
