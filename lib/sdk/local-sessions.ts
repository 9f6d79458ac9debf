import type { LoggerService } from '@nestjs/common';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpSessionServer } from '../interfaces/mcp-session-options.interface';
import type { SessionRecord } from '../contract/session-record';
import type { SessionStore } from '../contract/session-store';
import { shortId } from '../contract/session-store.error';

/** A session's transport and server in this process. */
export interface LocalSession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpSessionServer;
  /** The expiry last seen in the store (ms); the sweep asks the store only past it. */
  expiresAt: number;
}

/**
 * The transports of this process by session id, with at most one rebuild in
 * flight per id.
 */
export class LocalSessions {
  private readonly live = new Map<string, LocalSession>();
  private readonly rebuilding = new Map<string, Promise<LocalSession>>();

  constructor(
    private readonly store: SessionStore,
    private readonly logger: LoggerService,
  ) {}

  get size(): number {
    return this.live.size;
  }

  add(id: string, session: LocalSession): void {
    this.live.set(id, session);
  }

  /** Drops `session` from the map (once its transport has closed). */
  forget(id: string, session: LocalSession): void {
    if (this.live.get(id) === session) this.live.delete(id);
  }

  /**
   * The local session of `record`, built by `rebuild` when there is none;
   * concurrent callers for the same id share one rebuild.
   */
  async attach(record: SessionRecord, rebuild: () => Promise<LocalSession>): Promise<LocalSession> {
    let session = this.live.get(record.id);
    if (session === undefined) {
      let pending = this.rebuilding.get(record.id);
      if (pending === undefined) {
        pending = rebuild().finally(() => this.rebuilding.delete(record.id));
        this.rebuilding.set(record.id, pending);
        session = await pending;
        this.live.set(record.id, session);
      } else {
        session = await pending;
      }
    }
    session.expiresAt = record.expiresAt.getTime();
    return session;
  }

  /** Closes the local transport and server of `id`, if any. */
  async close(id: string): Promise<void> {
    const session = this.live.get(id);
    if (session === undefined) return;
    this.live.delete(id);
    await session.server.close().catch((error: unknown) => {
      this.logger.warn(`Closing session ${shortId(id)} failed: ${String(error)}`);
    });
  }

  /** Closes every local transport; the store is not touched. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.close(id)));
  }

  /**
   * Closes the transports of sessions past their last known expiry that the
   * store no longer has (expired, or ended on another instance).
   * @returns how many were closed.
   */
  async sweep(): Promise<number> {
    const now = Date.now();
    let closed = 0;
    for (const [id, session] of this.live) {
      if (session.expiresAt > now) continue;
      try {
        const record = await this.store.load(id);
        if (record !== undefined) {
          session.expiresAt = record.expiresAt.getTime();
          continue;
        }
      } catch (error) {
        this.logger.warn(
          `Transport sweep could not check session ${shortId(id)}: ${String(error)}`,
        );
        continue;
      }
      await this.close(id);
      closed++;
    }
    return closed;
  }
}
