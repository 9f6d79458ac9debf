import type { LoggerService } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { errorMessage, shortId } from '../contract/session-store.error';
import type { SessionRecord } from '../contract/session-record';
import { SESSION_ID_REQUIRED } from '../gate/mcp-session.errors';
import type { McpSessionGate } from '../gate/mcp-session.gate';
import { getMcpSession, type McpSessionRequest } from '../gate/mcp-session.request';
import type { McpAuthInfo } from '../interfaces/mcp-server-context.interface';
import type { McpEventStore } from '../interfaces/session-event-store.interface';
import type { McpSessionMessageBus } from '../interfaces/session-message-bus.interface';
import type { LocalSession, LocalSessions } from './local-sessions';
import { catchUpState, serveOn } from './legacy-serve';
import type { Sdk } from './sdk-loader';
import type { SessionFactory, SessionHooks } from './session-factory';
import { findInitialize, type SessionRecords } from './session-records';
import { sendWebResponse } from './web-http';

/** One 2025-era request: the framework's, its web twin, its parsed body and auth. */
export interface LegacyExchange {
  req: McpSessionRequest;
  res: ServerResponse;
  web: Request;
  body: unknown;
  authInfo?: McpAuthInfo;
  owner: () => string | undefined;
}

/** What the legacy leg works with besides the SDK and the gate. */
export interface LegacyParts {
  sessions: LocalSessions;
  factory: SessionFactory;
  records: SessionRecords;
  bus: McpSessionMessageBus;
  eventStore: McpEventStore | undefined;
  logger: LoggerService;
  /** Told the expiry (ms) of each local session served or registered. */
  expiring: (at: number) => void;
}

/**
 * Serves 2025-era traffic (sessions, `initialize`, the GET stream, DELETE)
 * with the SDK's sessionful transport, the sessions kept in the store and
 * rebuilt on any instance; the state changes other instances stored are
 * replayed into a local server before it serves the next request.
 */
export class LegacyLeg {
  private readonly sessions: LocalSessions;
  private readonly logger: LoggerService;

  constructor(
    private readonly sdk: Sdk,
    private readonly gate: McpSessionGate,
    private readonly parts: LegacyParts,
  ) {
    ({ sessions: this.sessions, logger: this.logger } = parts);
  }

  /** Serves one request; rejects with `McpSessionRejection` for the status answers. */
  async handle(exchange: LegacyExchange): Promise<void> {
    const { req } = exchange;
    let record = getMcpSession(req);
    if (record === undefined) {
      const id = this.gate.sessionId(req);
      if (id !== undefined) record = await this.gate.open(req, id);
    }
    if (record === undefined) return this.initialize(exchange);
    const live: SessionRecord = record;
    const session = await this.sessions.attach(live.id, live.expiresAt.getTime(), async () => {
      const restored = await this.parts.factory.restore(live, req, this.hooks(live.id));
      this.logger.log(`Restored session ${shortId(live.id)} in this process`);
      return restored;
    });
    try {
      this.parts.expiring(session.expiresAt);
      await catchUpState(this.parts.factory, session, live, req, this.logger);
      await serveOn(this.sdk, session, exchange);
    } finally {
      this.sessions.release(session);
    }
  }

  /** Closes the transport of session `id` here, if any; the store is not touched. */
  async close(id: string): Promise<void> {
    const session = this.sessions.take(id);
    await session?.server.close().catch((error: unknown) => {
      this.logger.warn(`Closing session ${shortId(id)} failed: ${errorMessage(error)}`);
    });
  }

  /**
   * Closes the transports of sessions past their last known expiry that the
   * store no longer has (expired, or ended on another instance).
   * @returns how many were closed.
   */
  async sweep(): Promise<number> {
    let closed = 0;
    for (const id of this.sessions.pastExpiry(Date.now())) {
      const expiresAt = await this.parts.records.expiryOf(id);
      if (expiresAt === null) continue;
      const session = this.sessions.get(id);
      if (expiresAt !== undefined) {
        if (session) session.expiresAt = expiresAt;
        continue;
      }
      await this.close(id);
      closed++;
    }
    return closed;
  }

  /** Closes every local transport; stored sessions stay. */
  async closeAll(): Promise<void> {
    await Promise.all(this.sessions.ids().map((id) => this.close(id)));
  }

  private async initialize(exchange: LegacyExchange): Promise<void> {
    const message = findInitialize(exchange.body);
    if (message === undefined) throw SESSION_ID_REQUIRED;
    const { records, factory } = this.parts;
    const owner = exchange.owner();
    // Within the sessionLimits (429 or 503 past a cap).
    const record = await this.gate.admit(owner, () =>
      records.create(message, owner, {
        supported: this.sdk.SUPPORTED_PROTOCOL_VERSIONS,
        latest: this.sdk.LATEST_PROTOCOL_VERSION,
      }),
    );
    let answer: Response;
    try {
      const hooks = this.hooks(record.id);
      const session: LocalSession = await factory.create(record, exchange.req, {
        ...hooks,
        onsessioninitialized: (id) => {
          this.sessions.add(id, session);
          this.parts.expiring(session.expiresAt);
        },
      });
      answer = await session.transport.handleRequest(exchange.web, {
        parsedBody: exchange.body,
        authInfo: exchange.authInfo as never,
      });
      if (session.transport.sessionId === undefined || answer.status !== 200) {
        // The transport refused the initialize (headers, protocol version...).
        await session.server.close();
        await records.delete(record.id);
      }
    } catch (error) {
      await records.discard(record.id);
      throw error;
    }
    await sendWebResponse(answer, exchange.res);
  }

  private hooks(id: string): SessionHooks {
    return {
      onsessionclosed: async (closed) => {
        await this.parts.records.delete(closed);
        void this.parts.bus.publish({ kind: 'ended', sessionId: closed });
        await this.parts.eventStore?.deleteSession(closed).catch((error: unknown) => {
          this.logger.warn(
            `Could not delete the events of session ${shortId(closed)}: ${errorMessage(error)}`,
          );
        });
      },
      onclose: (session) => this.sessions.forget(id, session),
    };
  }
}
