import { asIoredisShape, type NodeRedisLike } from './node-redis.adapter';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { loadIoredis } from './ioredis-loader';
import {
  checkServerEventBusOptions,
  checkServerEventBusUrl,
  PUBLISHER_OPTIONS,
  type RedisServerEventBusClient,
  type RedisServerEventBusOptions,
  SUBSCRIBER_OVERRIDES,
} from './redis-server-event-bus.options';
import { decodeServerEvent, encodeServerEvent } from './server-event.codec';
import { errorText, ServerEventListeners } from './server-event.listeners';
import type {
  McpServerEvent,
  McpServerEventBus,
} from '../../interfaces/server-event-bus.interface';

/**
 * An {@link McpServerEventBus} over Redis pub/sub (`PUBLISH` / `SUBSCRIBE` on
 * one channel), for single nodes and clusters alike (classic pub/sub reaches
 * every node of a cluster): an event published on any instance reaches the
 * listeners of every instance. Pass it to the SDK as
 * `createMcpHandler(factory, { bus })`.
 *
 * Delivery: `publish` calls this instance's listeners at once, synchronously
 * (as the memory bus does, so they get it even while Redis is down), then
 * publishes the event tagged with this instance's origin; the echo that comes
 * back is skipped, so every listener gets each event exactly once. Events of
 * two instances may thus reach listeners in a different order on each.
 * Events published while an instance's subscription is down are not received
 * by that instance.
 *
 * `publish` never throws. Logged: failed publishes and subscriber errors once
 * per outage, malformed channel messages (dropped) once, a throwing listener
 * each time (the others still get the event).
 *
 * Publishes through the given client; receives on a connection of its own (one
 * per bus, not per listener): a `duplicate()` of a single-node client, or for a
 * cluster a connection to one of its masters. On shutdown it closes only what
 * it opened: the subscriber always, the publisher only when built by
 * {@link RedisServerEventBus.fromUrl}.
 */
export class RedisServerEventBus implements McpServerEventBus, OnApplicationShutdown {
  private readonly logger = new Logger(RedisServerEventBus.name);
  private readonly listeners = new ServerEventListeners(this.logger);
  /** Tags our own messages, which our listeners already got in `publish`. */
  private readonly origin = randomBytes(8).toString('hex');
  private readonly channel: string;
  private subscriber?: Redis;
  private ownsPublisher = false;
  private closed = false;
  private live = false;
  private subscriberFailing = false;
  private publishFailing = false;
  private malformedLogged = false;

  /**
   * @param client the user's ioredis `Redis` or `Cluster`, used to publish; the
   *   bus never closes it. Its settings decide when a publish during an outage
   *   fails (ioredis defaults: after 20 reconnection attempts).
   * @throws TypeError naming an option that cannot be used.
   */
  private readonly client: RedisServerEventBusClient;

  constructor(
    client: RedisServerEventBusClient | NodeRedisLike,
    options?: RedisServerEventBusOptions,
  ) {
    client = this.client = asIoredisShape<RedisServerEventBusClient>(client);
    ({ channel: this.channel } = checkServerEventBusOptions(options));
    if (!client.isCluster)
      this.listen((client as unknown as Redis).duplicate(SUBSCRIBER_OVERRIDES));
    else if (client.status === 'ready') this.listenOnCluster();
    else client.once('ready', this.listenOnCluster);
  }

  /**
   * A bus over two connections of its own to the single node at `url` (one
   * publishes, one subscribes), both closed on application shutdown.
   * @throws Error when ioredis is not installed or `url` is not a non-empty string.
   */
  static fromUrl(url: string, options?: RedisServerEventBusOptions): RedisServerEventBus {
    checkServerEventBusUrl(url);
    checkServerEventBusOptions(options);
    const { Redis } = loadIoredis();
    const publisher = new Redis(url, PUBLISHER_OPTIONS);
    // Failed publishes are logged by publish(), connection errors by the subscriber.
    publisher.on('error', () => undefined);
    const bus = new RedisServerEventBus(publisher, options);
    bus.ownsPublisher = true;
    return bus;
  }

  /** `true` while the subscription is confirmed and messages are being received. */
  get connected(): boolean {
    return this.live;
  }

  /** How many listeners are registered on this instance. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  publish(event: McpServerEvent): void {
    if (this.closed) return;
    this.listeners.deliver(event);
    let sent: Promise<unknown>;
    try {
      sent = this.client.publish(this.channel, encodeServerEvent(this.origin, event));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(this.published, this.notPublished);
  }

  subscribe(listener: (event: McpServerEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Closes the subscriber (and the publisher when `fromUrl` opened it). Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.live = false;
    this.listeners.clear();
    this.client.off('ready', this.listenOnCluster);
    this.subscriber?.disconnect();
    if (this.ownsPublisher) this.client.disconnect();
  }

  private readonly published = (): void => {
    if (!this.publishFailing) return;
    this.publishFailing = false;
    this.logger.log('Server events are published again');
  };

  private readonly notPublished = (error: unknown): void => {
    // One line per outage, not one per event.
    if (this.publishFailing || this.closed) return;
    this.publishFailing = true;
    this.logger.warn(
      `Server event not published on ${this.channel} (other instances miss events until Redis answers): ${errorText(error)}`,
    );
  };

  private readonly listenOnCluster = (): void => {
    if (this.closed || this.subscriber) return;
    const [node] = (this.client as unknown as Cluster).nodes('master');
    if (!node) {
      this.logger.error('The Redis cluster reports no master node: server events are not received');
      return;
    }
    this.listen(node.duplicate(SUBSCRIBER_OVERRIDES));
  };

  private listen(subscriber: Redis): void {
    this.subscriber = subscriber;
    subscriber.on('ready', () => void this.confirmSubscription(subscriber));
    subscriber.on('close', () => {
      this.live = false;
    });
    subscriber.on('error', (error: Error) => {
      // ioredis repeats the error on every reconnection attempt: log it once.
      if (this.subscriberFailing || this.closed) return;
      this.subscriberFailing = true;
      this.logger.warn(
        `Server event subscriber: ${error.message}; events of other instances are missed until it reconnects`,
      );
    });
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
  }

  private async confirmSubscription(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(this.channel);
    } catch (error) {
      // The connection dropped again; the next 'ready' retries.
      this.logger.warn(`SUBSCRIBE ${this.channel} failed: ${errorText(error)}`);
      return;
    }
    if (this.closed || subscriber.status !== 'ready') return;
    if (this.subscriberFailing)
      this.logger.log(`Server event subscriber is back on ${this.channel}`);
    this.subscriberFailing = false;
    this.live = true;
  }

  private receive(message: string): void {
    const decoded = decodeServerEvent(message);
    if (!decoded) {
      if (!this.malformedLogged) {
        this.malformedLogged = true;
        this.logger.warn(`Dropped a malformed message on ${this.channel} (logged once)`);
      }
      return;
    }
    if (decoded.origin !== this.origin) this.listeners.deliver(decoded.event);
  }
}
