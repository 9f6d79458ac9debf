import { EventEmitter } from 'node:events';
import { errorMessage } from '../../contract/session-store.error';
import { destroy, type NodeRedisClientLike } from './node-redis.types';

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
