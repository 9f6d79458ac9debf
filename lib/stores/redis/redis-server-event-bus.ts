import { asIoredisShape, type NodeRedisLike } from './node-redis.adapter';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { loadIoredis } from './ioredis-loader';
import { checkConnected } from './redis-call';
import { RedisSubscription } from './redis-subscription';
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
 * `publish` never throws, and while the publishing connection is down it
 * fails at once (logged) instead of queueing the event. Logged: failed publishes and subscriber errors once
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
  private readonly subscription: RedisSubscription;
  private ownsPublisher = false;
  private closed = false;
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
    this.subscription = new RedisSubscription(client, this.logger, {
      channels: [this.channel],
      overrides: SUBSCRIBER_OVERRIDES,
      label: 'Server event subscriber',
      missed: 'server events',
      onMessage: (_channel, message) => this.receive(message),
    });
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
    return this.subscription.live;
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
      // While the connection is down, fail at once: a client's offline queue
      // would keep every event (node-redis 5: without bound) and send it late.
      checkConnected(this.client);
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
    this.listeners.clear();
    this.subscription.close();
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
