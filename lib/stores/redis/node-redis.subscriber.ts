import { EventEmitter } from 'node:events';
import { errorMessage } from '../../contract/session-store.error';
import { destroy, type NodeRedisClientLike } from './node-redis.types';

/** What the pieces pass to ioredis's `duplicate()` for a subscriber and node-redis has a word for. */
interface SubscriberOverrides {
  connectionName?: string;
  retryStrategy?: (times: number) => number | null | void;
}

/**
 * A subscriber's ioredis overrides as node-redis `duplicate()` options:
 * `connectionName` as `name` (CLIENT SETNAME: it shows in CLIENT LIST),
 * `retryStrategy` as the socket's `reconnectStrategy` (node-redis counts
 * from 0, ioredis from 1; the client's other socket options are kept).
 */
export function subscriberOptions(native: NodeRedisClientLike, overrides?: object): object {
  const { connectionName, retryStrategy } = (overrides ?? {}) as SubscriberOverrides;
  const options: Record<string, unknown> = {};
  if (typeof connectionName === 'string') options.name = connectionName;
  if (typeof retryStrategy === 'function') {
    const socket = (native as { options?: { socket?: object } }).options?.socket;
    const reconnectStrategy = (retries: number): number | false => {
      const delay = retryStrategy(retries + 1);
      return typeof delay === 'number' ? delay : false;
    };
    options.socket = { ...socket, reconnectStrategy };
  }
  return options;
}

/**
 * A subscriber connection we open (a node-redis duplicate), as an ioredis
 * `Redis` in subscriber mode: `ready`, `close`, `error` and `message`
 * (channel, message) events, `subscribe(channel)`. node-redis subscribes
 * again by itself after a reconnection, before `ready`; a second
 * `subscribe` of a channel adds no listener and sends nothing.
 */
export class NodeRedisSubscriber extends EventEmitter {
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
