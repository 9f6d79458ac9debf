import { asIoredisShape, type NodeRedisLike } from './node-redis.adapter';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../contract/session-store.error';
import type {
  McpSessionBusMessage,
  McpSessionMessageBus,
} from '../../interfaces/session-message-bus.interface';
import { loadIoredis } from './ioredis-loader';
import type { RedisInvalidationClient } from './redis-client';
import { RedisSubscription } from './redis-subscription';
import {
  BUS_PUBLISHER_OPTIONS,
  BUS_SUBSCRIBER_OVERRIDES,
  publisherOf,
  type RedisSessionMessageBusOptions,
  resolveSessionBusOptions,
  within,
} from './redis-session-message-bus.options';
import { decodeBusMessage, encodeBusMessage } from './session-bus.codec';

/**
 * An {@link McpSessionMessageBus} over Redis pub/sub, single node or cluster
 * (classic pub/sub reaches every node of a cluster): broadcasts on
 * `<channel>`, messages for one instance on `<channel>:<instanceId>`, both
 * received on one subscriber connection per instance (a `duplicate()` of a
 * single-node client, or a connection to one master of a cluster).
 *
 * `publish` never throws and gives up after `publishTimeout`. Logged once per
 * outage: failed publishes, subscriber errors; once: malformed messages. On a
 * single node, a message for an instance nobody listens for resolves `false`
 * (Redis counts receivers; on a cluster the count covers one node: unused).
 * Closes only what it opened: the subscriber, and the publisher of
 * {@link RedisSessionMessageBus.fromUrl}.
 */
export class RedisSessionMessageBus implements McpSessionMessageBus, OnApplicationShutdown {
  readonly instanceId = randomBytes(8).toString('hex');
  private readonly logger = new Logger(RedisSessionMessageBus.name);
  private readonly listeners = new Set<{ listener: (message: McpSessionBusMessage) => void }>();
  private readonly channel: string;
  private readonly inbox: string;
  private readonly publishTimeout: number;
  private readonly subscription: RedisSubscription;
  private ownsPublisher = false;
  private closed = false;
  private publishFailing = false;
  private malformedLogged = false;

  /**
   * @param client the user's ioredis `Redis` or `Cluster`, used to publish; the
   *   bus never closes it.
   * @throws InvalidOptionError naming an option that cannot be used.
   */
  private readonly client: RedisInvalidationClient;

  constructor(
    client: RedisInvalidationClient | NodeRedisLike,
    options?: RedisSessionMessageBusOptions,
  ) {
    client = this.client = asIoredisShape<RedisInvalidationClient>(client);
    ({ channel: this.channel, publishTimeout: this.publishTimeout } =
      resolveSessionBusOptions(options));
    this.inbox = `${this.channel}:${this.instanceId}`;
    this.subscription = new RedisSubscription(client, this.logger, {
      channels: [this.channel, this.inbox],
      overrides: BUS_SUBSCRIBER_OVERRIDES,
      label: 'Session message subscriber',
      missed: 'session messages',
      onMessage: (_channel, raw) => this.receive(raw),
    });
  }

  /**
   * A bus over two connections of its own to the single node at `url`, both
   * closed on application shutdown.
   * @throws Error when ioredis is not installed; InvalidOptionError for bad options.
   */
  static fromUrl(url: string, options?: RedisSessionMessageBusOptions): RedisSessionMessageBus {
    resolveSessionBusOptions(options);
    const { Redis } = loadIoredis();
    const publisher = new Redis(url, BUS_PUBLISHER_OPTIONS);
    // Failed publishes are logged by publish(), connection errors by the subscriber.
    publisher.on('error', () => undefined);
    const bus = new RedisSessionMessageBus(
      publisher as unknown as RedisInvalidationClient,
      options,
    );
    bus.ownsPublisher = true;
    return bus;
  }

  /** `true` while both channels are subscribed and messages are being received. */
  get connected(): boolean {
    return this.subscription.live;
  }

  async publish(message: McpSessionBusMessage, to?: string): Promise<boolean> {
    if (this.closed) return false;
    const channel = to === undefined ? this.channel : `${this.channel}:${to}`;
    try {
      const raw = encodeBusMessage(this.instanceId, message);
      const receivers = await within(
        publisherOf(this.client).publish(channel, raw),
        this.publishTimeout,
      );
      if (this.publishFailing) this.logger.log('Session messages are published again');
      this.publishFailing = false;
      return to === undefined || this.client.isCluster || receivers > 0;
    } catch (error) {
      if (!this.publishFailing && !this.closed) {
        this.logger.warn(
          `Session message not published on ${this.channel}: ${errorMessage(error)}`,
        );
      }
      this.publishFailing = true;
      return false;
    }
  }

  subscribe(listener: (message: McpSessionBusMessage) => void): () => void {
    const entry = { listener };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Closes the subscriber (and the publisher when `fromUrl` opened it). Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.subscription.close();
    if (this.ownsPublisher) this.client.disconnect();
  }

  private receive(raw: string): void {
    const decoded = decodeBusMessage(raw);
    if (decoded === undefined) {
      if (!this.malformedLogged) {
        this.malformedLogged = true;
        this.logger.warn(`Dropped a malformed message on ${this.channel} (logged once)`);
      }
      return;
    }
    if (decoded.origin === this.instanceId) return;
    for (const { listener } of this.listeners) {
      try {
        listener(decoded.message);
      } catch (error) {
        this.logger.error(
          `A session message listener failed on ${decoded.message.kind}: ${errorMessage(error)}`,
        );
      }
    }
  }
}
