import type { Logger } from '@nestjs/common';
import type { McpServerEvent } from '../../interfaces/server-event-bus.interface';

/** One registration: the same function subscribed twice is two of them. */
interface Subscription {
  readonly listener: (event: McpServerEvent) => void;
}

/**
 * The listeners of one bus instance. `deliver` calls every live listener
 * synchronously, in subscription order; one that throws is logged and the
 * others still get the event; one removed during delivery, before its turn,
 * does not get it.
 */
export class ServerEventListeners {
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly logger: Logger) {}

  /** Adds a registration. @returns its idempotent removal. */
  add(listener: (event: McpServerEvent) => void): () => void {
    const subscription: Subscription = { listener };
    this.subscriptions.add(subscription);
    return () => void this.subscriptions.delete(subscription);
  }

  /** Calls every listener; never throws. */
  deliver(event: McpServerEvent): void {
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

  /** How many registrations there are. */
  get size(): number {
    return this.subscriptions.size;
  }

  /** Removes every registration. */
  clear(): void {
    this.subscriptions.clear();
  }
}

/** The message of an error, or the thrown value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
