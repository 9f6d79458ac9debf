import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { McpSessionRejection, SESSION_ID_REQUIRED } from '../gate/mcp-session.errors';
import { McpSessionGate } from '../gate/mcp-session.gate';
import {
  getMcpSession,
  MCP_SESSION_CLOSED,
  type McpSessionRequest,
} from '../gate/mcp-session.request';
import { DEFAULT_CLEANUP_INTERVAL, MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { shortId } from '../contract/session-store.error';
import { LocalSessions } from './local-sessions';
import { findInitialize, SessionBuilder } from './session-builder';
import { nodeResponse, sendJsonRpcError, sendWebResponse, toWebRequest } from './web-http';

const INTERNAL_ERROR = {
  jsonrpc: '2.0',
  error: { code: -32603, message: 'Internal error' },
  id: null,
} as const;

/**
 * Owns the MCP SDK transports of this process and serves MCP over
 * Streamable HTTP with sessions kept in the store: route your MCP
 * controller's POST, GET and DELETE to {@link McpSessionTransports.handle}.
 *
 * - `initialize`: a new crypto-random session id, a record in the store
 *   (negotiated protocol version, client info and capabilities, owner), and a
 *   fresh server from the server factory (`createServer` option or
 *   `MCP_SERVER_FACTORY` provider).
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
export class McpSessionTransports implements BeforeApplicationShutdown {
  private readonly logger = new Logger(McpSessionTransports.name);
  private readonly sessions: LocalSessions;
  private readonly builder: SessionBuilder;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly gate: McpSessionGate,
    @Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions,
    moduleRef: ModuleRef,
  ) {
    this.sessions = new LocalSessions(options.store, this.logger);
    this.builder = new SessionBuilder(options, moduleRef, this.sessions, this.logger, () =>
      this.startSweeps(),
    );
  }

  /** How many sessions have a live transport in this process. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Serves one MCP request (POST, GET or DELETE) from an Express
   * `(req, res)` or a Fastify `(request, reply)`; `body` is the parsed JSON
   * body (`@Body()`). Never rejects: failures become JSON-RPC error answers
   * (400, 404, 503; 500 without details for anything unexpected, logged).
   */
  async handle(request: object, response: object, body?: unknown): Promise<void> {
    const res = nodeResponse(response);
    const req = request as McpSessionRequest;
    // DELETE is the transports' to carry out (onsessionclosed), whatever it answers.
    if (req.method === 'DELETE') req[MCP_SESSION_CLOSED] = true;
    let id: string | undefined;
    try {
      let record = getMcpSession(req);
      if (record === undefined) {
        id = this.gate.sessionId(req);
        if (id !== undefined) record = await this.gate.open(req, id);
      }
      if (record === undefined) return await this.initialize(req, res, body);
      id = record.id;
      const live = record;
      const session = await this.sessions.attach(live, () => this.builder.restore(live, req));
      const answer = await session.transport.handleRequest(toWebRequest(req), {
        parsedBody: body,
      });
      await sendWebResponse(answer, res);
    } catch (error) {
      // A 404 leaves any local transport alone: it may be another owner's
      // request for a live session. The sweep closes transports of ended ones.
      if (error instanceof McpSessionRejection) {
        return sendJsonRpcError(res, error.status, error.body);
      }
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`MCP request failed${id ? ` for session ${shortId(id)}` : ''}: ${message}`);
      sendJsonRpcError(res, 500, INTERNAL_ERROR);
    }
  }

  /**
   * Closes the transports whose session has expired or was ended elsewhere
   * (the store no longer has it); only sessions past their last known expiry
   * are looked up. Runs every `cleanupInterval` (every minute when that is
   * off) once this process holds transports; stored records are not touched.
   * @returns how many transports were closed.
   */
  sweep(): Promise<number> {
    return this.sessions.sweep();
  }

  /** Closes every local transport (ending open SSE streams); stored sessions stay. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
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
    const record = await this.builder.createRecord(message, req);
    let answer: Response;
    try {
      const session = await this.builder.build(record, (sessionId) =>
        this.sessions.add(sessionId, session),
      );
      answer = await session.transport.handleRequest(toWebRequest(req), { parsedBody: body });
      if (session.transport.sessionId === undefined || answer.status !== 200) {
        // The transport refused the initialize (headers, DNS rebinding...).
        await session.server.close();
        await this.options.store.delete(record.id);
      }
    } catch (error) {
      await this.options.store.delete(record.id).catch(() => undefined);
      throw error;
    }
    await sendWebResponse(answer, res);
  }

  /** The transport sweep runs once this process holds transports. */
  private startSweeps(): void {
    if (this.timer !== undefined || this.stopped) return;
    const interval = this.options.cleanupInterval || DEFAULT_CLEANUP_INTERVAL;
    this.timer = setInterval(() => void this.sweep(), interval);
    this.timer.unref();
  }
}
