/*
 * What the node-redis adapter uses of node-redis 5 and 6, declared here so
 * that the package's types import nothing from the optional `redis` peer.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Listener = (...args: any[]) => void;
export type Arg = string | number;

/** What we use of a node-redis single-node client (`createClient()`), connected by its owner. */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(overrides?: object): NodeRedisClientLike;
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

/** ioredis event names on node-redis ones: `close` is a lost connection. */
const EVENTS: Record<string, string[]> = { close: ['reconnecting', 'end'] };
export const eventsOf = (event: string): string[] => EVENTS[event] ?? [event];

/** Closes a node-redis client we opened: `destroy` (5, 6) or `disconnect` (older). */
export function destroy(client: object): void {
  const c = client as { destroy?: () => unknown; disconnect?: () => unknown };
  try {
    const closing = c.destroy ? c.destroy() : c.disconnect?.();
    void Promise.resolve(closing).catch(() => undefined);
  } catch {
    // already closed
  }
}

/** Closes a node-redis client gracefully: `close` (5, 6) or `quit` (older). */
export async function close(client: object): Promise<unknown> {
  const c = client as { close?: () => Promise<unknown>; quit?: () => Promise<unknown> };
  return c.close ? c.close() : c.quit?.();
}

/**
 * Rethrows a node-redis rejection with a message: node-redis 6 rejects a
 * command past its `commandOptions.timeout` (5 s by default) with a
 * `TimeoutError` whose message is empty, which logs and errors would show
 * as nothing.
 */
export function named(error: unknown): never {
  if (error instanceof Error && error.message === '') {
    error.message = `${error.constructor.name} (node-redis gave no message)`;
  }
  throw error;
}
