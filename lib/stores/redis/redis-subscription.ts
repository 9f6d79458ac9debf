import type { Logger } from '@nestjs/common';
import { errorMessage } from '../../contract/session-store.error';
import type { RedisClusterClient, RedisEvents, RedisNodeClient } from './redis-client';

/** What a pub/sub piece listens to, and how its logs name it. */
export interface RedisSubscriptionSpec {
  /** The channels subscribed on every (re)connection. */
  readonly channels: readonly string[];
  /** Options of the subscriber connection (ioredis `duplicate()` overrides). */
  readonly overrides: object;
  /** Logs: what listens (`Server event subscriber`) and what it misses while down. */
  readonly label: string;
  readonly missed: string;
  /** A message on one of the channels. */
  onMessage(channel: string, message: string): void;
  /** After each confirmed (re)subscription: what was missed meanwhile is gone. */
  onSubscribed?(): void;
}

/**
 * The receiving side of the Redis pub/sub pieces (the invalidation channel,
 * the server event bus, the session message bus): one subscriber connection
 * of its own, a `duplicate()` of a single-node client or, for a cluster, of
 * its first master once the cluster is ready (classic pub/sub reaches every
 * node). Subscribes again on every `ready`; `live` once confirmed, until the
 * connection closes. Logs a failing connection once per outage and its
 * return once. `close()` closes the subscriber, never the client it came from.
 */
export class RedisSubscription {
  private subscriber?: RedisNodeClient;
  private closed = false;
  private failing = false;
  private confirmed = false;

  constructor(
    private readonly client: RedisEvents,
    private readonly logger: Logger,
    private readonly spec: RedisSubscriptionSpec,
  ) {
    if (!client.isCluster)
      this.listen((client as unknown as RedisNodeClient).duplicate(spec.overrides));
    else if (client.status === 'ready') this.listenOnCluster();
    else client.once('ready', this.listenOnCluster);
  }

  /** `true` while the subscription is confirmed and messages are being received. */
  get live(): boolean {
    return this.confirmed;
  }

  /** Closes the subscriber connection (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.confirmed = false;
    this.client.off('ready', this.listenOnCluster);
    this.subscriber?.disconnect();
  }

  private readonly listenOnCluster = (): void => {
    if (this.closed || this.subscriber) return;
    const [node] = (this.client as unknown as RedisClusterClient).nodes('master');
    if (!node) {
      this.logger.error(
        `The Redis cluster reports no master node: ${this.spec.missed} are not received`,
      );
      return;
    }
    this.listen(node.duplicate(this.spec.overrides));
  };

  private listen(subscriber: RedisNodeClient): void {
    this.subscriber = subscriber;
    const channels = new Set(this.spec.channels);
    subscriber.on('ready', () => void this.confirm(subscriber));
    subscriber.on('close', () => {
      this.confirmed = false;
    });
    subscriber.on('error', (error: Error) => {
      // ioredis repeats the error on every reconnection attempt: log it once.
      if (this.failing || this.closed) return;
      this.failing = true;
      this.logger.warn(
        `${this.spec.label}: ${error.message}; ${this.spec.missed} of other instances are missed until it reconnects`,
      );
    });
    subscriber.on('message', (channel: string, message: string) => {
      if (!this.closed && channels.has(channel)) this.spec.onMessage(channel, message);
    });
  }

  private async confirm(subscriber: RedisNodeClient): Promise<void> {
    try {
      for (const channel of this.spec.channels) await subscriber.subscribe(channel);
    } catch (error) {
      // The connection dropped again; the next 'ready' retries.
      this.logger.warn(`SUBSCRIBE ${this.spec.channels[0]} failed: ${errorMessage(error)}`);
      return;
    }
    if (this.closed || subscriber.status !== 'ready') return;
    this.spec.onSubscribed?.();
    if (this.failing) this.logger.log(`${this.spec.label} is back on ${this.spec.channels[0]}`);
    this.failing = false;
    this.confirmed = true;
  }
}
