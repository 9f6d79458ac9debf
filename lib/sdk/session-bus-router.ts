import type { LoggerService } from '@nestjs/common';
import { shortId } from '../contract/session-store.error';
import type {
  McpSessionBusMessage,
  McpSessionMessageBus,
} from '../interfaces/session-message-bus.interface';
import type { LocalSessions } from './local-sessions';

/**
 * This process's receiver on the session message bus (one subscription for
 * all its sessions): hands each message to the local session it concerns.
 *
 * - `reply`: to the session whose server sent the request; with no such
 *   session here, dropped with a WARN (session id prefix and request id).
 * - `outbound`: written by the session's transport when this instance holds
 *   the client's GET stream; ignored by every other instance.
 * - `ended`: the session's transport here is closed, streams and all.
 */
export class SessionBusRouter {
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: McpSessionMessageBus,
    private readonly sessions: LocalSessions,
    private readonly close: (id: string) => Promise<void>,
    private readonly logger: LoggerService,
  ) {}

  /** Subscribes (once). */
  start(): void {
    this.unsubscribe ??= this.bus.subscribe((message) => this.route(message));
  }

  /** Unsubscribes. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private route({ kind, sessionId, message, eventId }: McpSessionBusMessage): void {
    const session = this.sessions.get(sessionId);
    if (kind === 'ended') {
      if (session !== undefined) void this.close(sessionId);
      return;
    }
    if (message === undefined) return;
    if (kind === 'outbound') {
      if (session === undefined || session.streams === 0) return;
      session.link.deliverOutbound(message, eventId).catch((error: unknown) => {
        this.logger.warn(
          `Could not write a message to the GET stream of session ${shortId(sessionId)}: ${String(error)}`,
        );
      });
      return;
    }
    if (session !== undefined) return session.link.deliverReply(message);
    const id = String(
      message.id ?? (message.params as { progressToken?: unknown } | undefined)?.progressToken,
    );
    this.logger.warn(
      `Dropped the client's ${String(message.method ?? 'answer')} for request ${id} of session ${shortId(sessionId)}: nobody waits for it`,
    );
  }
}
