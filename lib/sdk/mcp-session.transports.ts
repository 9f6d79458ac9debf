import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import {
  McpSessionRejection,
  SESSION_ID_REQUIRED,
  STORE_UNAVAILABLE,
} from '../interceptors/mcp-session.errors';
import { McpSessionGate } from '../interceptors/mcp-session.gate';
import {
  getMcpSession,
  MCP_SESSION_CLOSED,
  type McpSessionRequest,
} from '../interceptors/mcp-session.request';
import { DEFAULT_CLEANUP_INTERVAL, MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { SessionRecord } from '../session-record';
import { shortId } from '../session-store.error';
import { LocalSessions, type LocalSession } from './local-sessions';
import { replayInitialize } from './session-replay';
import { loadSdk, type Sdk } from './sdk-loader';
import {
  nodeRequest,
  nodeResponse,
  sendJsonRpcError,
  sendWebResponse,
  toWebRequest,
} from './web-http';

interface InitializeMessage {
  method: 'initialize';
  params?: { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: unknown };
}

function findInitialize(body: unknown): InitializeMessage | undefined {
  const messages = Array.isArray(body) ? body : [body];
  return messages.find(
    (m): m is InitializeMessage =>
      m !== null && typeof m === 'object' && (m as { method?: unknown }).method === 'initialize',
  );
}

/**
 * Owns the MCP SDK transports of this process and serves MCP over
 * Streamable HTTP with sessions kept in the store: route your MCP
 * controller's POST, GET and DELETE to {@link McpSessionTransports.handle}.
 *
 * - `initialize`: a new crypto-random session id, a record in the store
 *   (negotiated protocol version, client info and capabilities, owner), and a
 *   fresh server from the `createServer` option.
 * - A session in the store without a transport here (another instance made
 *   it, or this process restarted): a transport is rebuilt by replaying the
 *   client's `initialize` through the SDK's public API, then the request is
 *   served. Concurrent requests for it share one rebuild.
 * - DELETE: the record is deleted and the transport closed. Transports whose
 *   session expired or was ended elsewhere are closed by a periodic sweep.
 *
 * When `McpSessionInterceptor` ran first, the record it attached is reused:
 * one store call per request in all.
 */
@Injectable()
export class McpSessionTransports implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(McpSessionTransports.name);
  private readonly sessions: LocalSessions;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly gate: McpSessionGate,
    @Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions,
  ) {
    this.sessions = new LocalSessions(options.store, this.logger);
  }

  /** How many sessions have a live transport in this process. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Serves one MCP request (POST, GET or DELETE) from an Express
   * `(req, res)` or a Fastify `(request, reply)`; `body` is the parsed JSON
   * body (`@Body()`). Never rejects: failures become JSON-RPC error answers.
   */
  async handle(request: object, response: object, body?: unknown): Promise<void> {
    const res = nodeResponse(response);
    const req = request as McpSessionRequest;
    let id: string | undefined;
    try {
      let record = getMcpSession(req);
      if (record === undefined) {
        id = this.gate.sessionId(req);
        if (id !== undefined) record = await this.gate.open(req, id);
      }
      id = record?.id;
      if (record === undefined) return await this.initialize(req, res, body);
      const session = await this.sessions.attach(record, () => this.restore(record, req));
      const answer = await session.transport.handleRequest(toWebRequest(req), { parsedBody: body });
      if (req.method === 'DELETE' && answer.status === 200) req[MCP_SESSION_CLOSED] = true;
      await sendWebResponse(answer, res);
    } catch (error) {
      if (error instanceof McpSessionRejection) {
        if (error.status === 404 && id !== undefined) await this.sessions.close(id);
        return sendJsonRpcError(res, error.status, error.body);
      }
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`MCP request failed${id ? ` for session ${shortId(id)}` : ''}: ${message}`);
      sendJsonRpcError(res, 500, {
        jsonrpc: '2.0',
        error: { code: -32603, message: 'Internal error' },
        id: null,
      });
    }
  }

  /**
   * Closes the transports whose session has expired or was ended elsewhere
   * (the store no longer has it). Runs every `cleanupInterval` (or every
   * minute when that is off); the store's records are not touched.
   * @returns how many transports were closed.
   */
  sweep(): Promise<number> {
    return this.sessions.sweep();
  }

  onApplicationBootstrap(): void {
    if (this.options.createServer === undefined) return;
    const interval = this.options.cleanupInterval || DEFAULT_CLEANUP_INTERVAL;
    this.timer = setInterval(() => void this.sweep(), interval);
    this.timer.unref();
  }

  /** Closes every local transport (ending open SSE streams); stored sessions stay. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sessions.closeAll();
  }

  private async initialize(
    req: McpSessionRequest,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const message = findInitialize(body);
    if (message === undefined) throw SESSION_ID_REQUIRED;
    const sdk = await loadSdk();
    const params = message.params ?? {};
    const requested = String(params.protocolVersion);
    const record = new SessionRecord(
      randomUUID(),
      sdk.SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : sdk.LATEST_PROTOCOL_VERSION,
      this.options.ttl,
    );
    if (params.clientInfo !== undefined)
      record.clientInfo = params.clientInfo as SessionRecord['clientInfo'];
    if (params.capabilities !== undefined)
      record.clientCapabilities = params.capabilities as Record<string, unknown>;
    const owner = this.options.resolveOwner?.(req as never);
    if (owner !== undefined) record.owner = owner;
    try {
      await this.options.store.create(record);
    } catch (error) {
      this.logger.error(
        `Could not store a new session: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw STORE_UNAVAILABLE;
    }

    const session = await this.build(sdk, record, (sessionId) =>
      this.sessions.add(sessionId, session),
    );
    const answer = await session.transport.handleRequest(toWebRequest(req), { parsedBody: body });
    if (session.transport.sessionId === undefined || answer.status !== 200) {
      // The transport refused the initialize (bad headers, DNS rebinding...).
      await session.server.close();
      await this.options.store.delete(record.id).catch(() => undefined);
    }
    await sendWebResponse(answer, res);
  }

  private async restore(record: SessionRecord, req: McpSessionRequest): Promise<LocalSession> {
    const session = await this.build(await loadSdk(), record);
    try {
      await replayInitialize(session.transport, record, nodeRequest(req) as IncomingMessage);
    } catch (error) {
      await session.server.close();
      throw error;
    }
    this.logger.debug?.(`Restored session ${shortId(record.id)}`);
    return session;
  }

  private async deleteRecord(id: string): Promise<void> {
    try {
      await this.options.store.delete(id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Could not delete session ${shortId(id)}: ${message}`);
      throw STORE_UNAVAILABLE;
    }
  }

  private async build(
    sdk: Sdk,
    record: SessionRecord,
    onsessioninitialized?: (id: string) => void,
  ): Promise<LocalSession> {
    const { createServer, transport: transportOptions } = this.options;
    if (createServer === undefined) {
      throw new Error('McpSessionTransports needs the McpSessionModule option "createServer"');
    }
    const transport = new sdk.WebStandardStreamableHTTPServerTransport({
      ...transportOptions,
      sessionIdGenerator: () => record.id,
      onsessioninitialized,
      onsessionclosed: (id) => this.deleteRecord(id),
    });
    const session: LocalSession = {
      transport,
      server: undefined!,
      expiresAt: record.expiresAt.getTime(),
    };
    transport.onclose = () => this.sessions.forget(record.id, session);
    session.server = await createServer(record);
    await session.server.connect(transport);
    return session;
  }
}
