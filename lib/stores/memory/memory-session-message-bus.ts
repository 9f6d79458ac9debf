import { randomBytes } from 'node:crypto';
import type {
  McpSessionBusMessage,
  McpSessionMessageBus,
} from '../../interfaces/session-message-bus.interface';

/**
 * The {@link McpSessionMessageBus} of a single process (the module's
 * default): this process is the only instance there is, so every answer,
 * stream and session it serves is its own and nothing ever needs to travel.
 * `publish` reaches nobody (`false`); listeners are kept but never called.
 * Use `RedisSessionMessageBus` as soon as two instances serve one session.
 */
export class MemorySessionMessageBus implements McpSessionMessageBus {
  readonly instanceId = randomBytes(8).toString('hex');
  private readonly listeners = new Set<{ listener: (message: McpSessionBusMessage) => void }>();

  async publish(_message: McpSessionBusMessage, _to?: string): Promise<boolean> {
    return false;
  }

  subscribe(listener: (message: McpSessionBusMessage) => void): () => void {
    const entry = { listener };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** How many listeners are registered (for tests and health checks). */
  get listenerCount(): number {
    return this.listeners.size;
  }
}
