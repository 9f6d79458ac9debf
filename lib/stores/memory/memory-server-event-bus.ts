import { Logger } from '@nestjs/common';
import type {
  McpServerEvent,
  McpServerEventBus,
} from '../../interfaces/server-event-bus.interface';

/** One registration: the same function subscribed twice is two of them. */
interface Subscription {
  readonly listener: (event: McpServerEvent) => void;
}

/**
 * An {@link McpServerEventBus} for one process: the listeners of this process
 * are every listener there is. Use it when a single instance serves the
 * `subscriptions/listen` streams; use `RedisServerEventBus` for many.
 *
 * `publish` calls every live listener synchronously, in subscription order,
 * and never throws: a listener that throws is logged and the others still
 * get the event. A listener may unsubscribe itself (or another one) during
 * delivery; one removed before its turn does not get the event. Subscribing
 * the same function twice registers it twice; each returned function removes
 * its own registration only and is idempotent.
 */
export class MemoryServerEventBus implements McpServerEventBus {
  private readonly logger = new Logger(MemoryServerEventBus.name);
  private readonly subscriptions = new Set<Subscription>();

  publish(event: McpServerEvent): void {
    // A Set iterates live: removals during delivery are honoured.
    for (const subscription of this.subscriptions) {
      try {
        subscription.listener(event);
      } catch (error) {
        this.logger.error(
          `A server event listener failed on ${event.kind}: ${errorText(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      }
    }
  }

  subscribe(listener: (event: McpServerEvent) => void): () => void {
    const subscription: Subscription = { listener };
    this.subscriptions.add(subscription);
    return () => void this.subscriptions.delete(subscription);
  }

  /** How many listeners are registered (for tests and health checks). */
  get listenerCount(): number {
    return this.subscriptions.size;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
