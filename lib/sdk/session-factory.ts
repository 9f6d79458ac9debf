import type { SessionRecord } from '../contract/session-record';
import type { McpSessionTransportOptions } from '../interfaces/mcp-session-options.interface';
import type { McpEventStore } from '../interfaces/session-event-store.interface';
import { sessionMetrics } from '../metrics/mcp-session.metrics';
import type { LocalSession } from './local-sessions';
import type { LegacyTransportOptions, Sdk } from './sdk-loader';
import type { ServerFactory } from './server-factory';
import { type EventStoreHealth, SessionEvents } from './session-events';
import { type LinkHost, SessionLink } from './session-link';
import { replayChanges, replayInitialize } from './session-replay';
import { catchUp, storedState } from './session-state';
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

/** The pieces every session of this process shares. */
export interface SessionParts {
  sdk: Sdk;
  transportOptions: McpSessionTransportOptions | undefined;
  servers: ServerFactory;
  /** The configured event store, if any (resumable SSE streams). */
  eventStore: McpEventStore | undefined;
  health: EventStoreHealth;
  /** The link host of a session (bus, logger, its stream count, its state store). */
  hostOf: (session: LocalSession, id: string) => LinkHost;
  /** Called once a transport exists (the transports provider starts its sweep). */
  onBuilt: () => void;
}

/**
 * Builds 2025-era sessions: a fresh SDK transport for a record (with the
 * session's view of the event store), a {@link SessionLink} in front of it,
 * and a fresh server from the application's factory connected to the link.
 * It keeps nothing and calls no store; the caller registers what it builds.
 */
export class SessionFactory {
  constructor(private readonly parts: SessionParts) {}

  /** A transport for `record.id` (not yet initialized) and its connected server. */
  async create(record: SessionRecord, request: object, hooks: SessionHooks): Promise<LocalSession> {
    const { sdk, transportOptions, servers, eventStore, health } = this.parts;
    const session = { expiresAt: record.expiresAt.getTime(), streams: 0 } as LocalSession;
    const events =
      eventStore &&
      new SessionEvents(record.id, eventStore.forSession(record.id), health, (stream) =>
        session.link.answersOn(stream),
      );
    const options: LegacyTransportOptions = {
      ...transportOptions,
      // Host and Origin were checked in front of both eras (lib/gate/preflight.ts), with the
      // module's rules (an allowedOrigins of ['*'] included): the transport does not check again.
      enableDnsRebindingProtection: false,
      sessionIdGenerator: () => record.id,
      onsessioninitialized: hooks.onsessioninitialized,
      onsessionclosed: hooks.onsessionclosed,
    };
    if (events !== undefined) options.eventStore = events as never;
    const transport = new sdk.WebStandardStreamableHTTPServerTransport(options);
    session.transport = transport;
    const host = this.parts.hostOf(session, record.id);
    session.link = new SessionLink(transport, record.id, events, host);
    session.link.onclose = () => hooks.onclose(session);
    session.server = await servers.create('legacy', request, record);
    await session.server.connect(session.link as never);
    this.parts.onBuilt();
    return session;
  }

  /**
   * The session of a stored record that has no transport in this process,
   * brought to the state the client left it in through the SDK's public API:
   * its `initialize` replayed, then its log level and resource subscriptions.
   */
  async restore(
    record: SessionRecord,
    request: object,
    hooks: SessionHooks,
  ): Promise<LocalSession> {
    const session = await this.create(record, request, hooks);
    try {
      const { transport, link } = session;
      await replayInitialize(transport, link.resumable, record, nodeRequest(request));
      await this.sync(session, record, request);
      sessionMetrics.restored();
    } catch (error) {
      await session.server.close();
      throw error;
    }
    return session;
  }

  /**
   * Replays into `session` the state changes stored with `record` that its
   * server has not seen (made on another instance since).
   * @throws Error when the server refuses one.
   */
  async sync(session: LocalSession, record: SessionRecord, request: object): Promise<void> {
    const wanted = storedState(record);
    const changes = catchUp(session.link.state, wanted);
    if (changes.length === 0) return;
    const { transport, link } = session;
    await replayChanges(transport, link.resumable, record, nodeRequest(request), changes);
    session.link.state = wanted;
  }
}
