import type { SessionRecord } from '../contract/session-record';
import type { McpSessionTransportOptions } from '../interfaces/mcp-session-options.interface';
import type { LocalSession } from './local-sessions';
import type { Sdk } from './sdk-loader';
import type { ServerFactory } from './server-factory';
import { replayInitialize } from './session-replay';
import { nodeRequest } from './web-http';

/** What the caller of {@link SessionFactory} wants to hear from a session's transport. */
export interface SessionHooks {
  /** The transport issued the session id (the client's `initialize` was accepted). */
  onsessioninitialized?: (id: string) => void;
  /** The client ended the session (DELETE); rejecting makes the DELETE fail. */
  onsessionclosed: (id: string) => Promise<void>;
  /** The transport closed, for whatever reason. */
  onclose: (session: LocalSession) => void;
}

/**
 * Builds 2025-era sessions: a fresh SDK transport for a record, connected to
 * a fresh server from the application's factory. It keeps nothing and calls
 * no store; the caller registers what it builds.
 */
export class SessionFactory {
  constructor(
    private readonly sdk: Sdk,
    private readonly transportOptions: McpSessionTransportOptions | undefined,
    private readonly servers: ServerFactory,
    /** Called once a transport exists (the transports provider starts its sweep). */
    private readonly onBuilt: () => void,
  ) {}

  /** A transport for `record.id` (not yet initialized) and its connected server. */
  async create(record: SessionRecord, request: object, hooks: SessionHooks): Promise<LocalSession> {
    const transport = new this.sdk.WebStandardStreamableHTTPServerTransport({
      ...this.transportOptions,
      sessionIdGenerator: () => record.id,
      onsessioninitialized: hooks.onsessioninitialized,
      onsessionclosed: hooks.onsessionclosed,
    });
    const server = await this.servers.create('legacy', request, record);
    const session: LocalSession = { transport, server, expiresAt: record.expiresAt.getTime() };
    transport.onclose = () => hooks.onclose(session);
    await server.connect(transport as never);
    this.onBuilt();
    return session;
  }

  /**
   * The session of a stored record that has no transport in this process,
   * brought to the state the client left it in by replaying its `initialize`
   * through the SDK's public API.
   */
  async restore(record: SessionRecord, request: object, hooks: SessionHooks): Promise<LocalSession> {
    const session = await this.create(record, request, hooks);
    try {
      await replayInitialize(session.transport, record, nodeRequest(request));
    } catch (error) {
      await session.server.close();
      throw error;
    }
    return session;
  }
}
