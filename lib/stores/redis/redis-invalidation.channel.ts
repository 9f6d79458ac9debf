import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { loadIoredis } from './ioredis-loader';
import { asIoredisShape, type NodeRedisLike } from './node-redis.adapter';
import {
  type RedisInvalidationChannelOptions,
  resolveInvalidationOptions,
  SUBSCRIBER_OVERRIDES,
} from './redis-invalidation.options';
import type { RedisInvalidationClient } from './redis-client';
import { RedisSubscription } from './redis-subscription';
import type {
  SessionInvalidationChannel,
  SessionInvalidationListener,
} from '../../interfaces/session-invalidation.interface';
import { errorMessage, SessionStoreError, shortId } from '../../contract/session-store.error';

const ORIGIN_LENGTH = 16;

/**
 * A {@link SessionInvalidationChannel} over Redis pub/sub, single node or
 * cluster: publishes through the given client, receives on a connection of
 * its own, and is `connected` once `SUBSCRIBE` is confirmed (listeners get
 * `reset()` after each reconnection). Closes only what it opened. More:
 * README, "CachingSessionStore".
 */
export class RedisInvalidationChannel implements SessionInvalidationChannel, OnApplicationShutdown {
  private readonly logger = new Logger(RedisInvalidationChannel.name);
  private readonly listeners = new Set<SessionInvalidationListener>();
  /** Tags our own messages, which listeners already got in `publish`. */
  private readonly origin = randomBytes(ORIGIN_LENGTH / 2).toString('hex');
  private readonly name: string;
  private readonly publishTimeout: number;
  private readonly subscription: RedisSubscription;
  private ownsPublisher = false;
  private closed = false;

  private readonly client: RedisInvalidationClient;

  /**
   * @param client the user's ioredis `Redis` or `Cluster`, or node-redis
   *   client or cluster (connected), used to publish; the channel never
   *   closes it.
   */
  constructor(
    client: RedisInvalidationClient | NodeRedisLike,
    options: RedisInvalidationChannelOptions = {},
  ) {
    client = this.client = asIoredisShape<RedisInvalidationClient>(client);
    ({ channel: this.name, publishTimeout: this.publishTimeout } =
      resolveInvalidationOptions(options));
    this.subscription = new RedisSubscription(client, this.logger, {
      channels: [this.name],
      overrides: SUBSCRIBER_OVERRIDES,
      label: 'Invalidation subscriber',
      missed: 'invalidations (cached sessions are bypassed meanwhile)',
      onMessage: (_channel, message) => this.receive(message),
      // Invalidations may have been missed while unsubscribed: caches empty themselves.
      onSubscribed: () => {
        for (const listener of this.listeners) listener.reset();
      },
    });
  }

  /** A channel over its own connection to `url`, closed on application shutdown. */
  static fromUrl(
    url: string,
    options: RedisInvalidationChannelOptions = {},
  ): RedisInvalidationChannel {
    const { Redis } = loadIoredis();
    const publisher = new Redis(url, {
      maxRetriesPerRequest: 0,
      retryStrategy: SUBSCRIBER_OVERRIDES.retryStrategy,
    });
    // Its connection errors are the subscriber's (same server), logged once per outage there.
    publisher.on('error', () => undefined);
    const channel = new RedisInvalidationChannel(publisher, options);
    channel.ownsPublisher = true;
    return channel;
  }

  /** `true` while the subscription is live and messages are being received. */
  get connected(): boolean {
    return this.subscription.live;
  }

  subscribe(listener: SessionInvalidationListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async publish(id: string, from?: SessionInvalidationListener): Promise<void> {
    for (const listener of this.listeners) if (listener !== from) this.tell(listener, id);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.publishTimeout} ms`)),
        this.publishTimeout,
      );
    });
    try {
      await Promise.race([this.client.publish(this.name, this.origin + id), timeout]);
    } catch (error) {
      throw SessionStoreError.backend(
        `invalidation of session ${shortId(id)} not published`,
        error,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the subscriber (and the publisher when this channel created it). Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.subscription.close();
    if (this.ownsPublisher) this.client.disconnect();
  }

  private receive(message: string): void {
    if (message.length < ORIGIN_LENGTH || message.startsWith(this.origin)) return;
    const id = message.slice(ORIGIN_LENGTH);
    for (const listener of this.listeners) this.tell(listener, id);
  }

  private tell(listener: SessionInvalidationListener, id: string): void {
    try {
      listener.invalidate(id);
    } catch (error) {
      this.logger.error(`Invalidation listener failed for ${shortId(id)}: ${errorMessage(error)}`);
    }
  }
}
