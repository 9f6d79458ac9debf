import type { LoggerService } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type {
  McpServerFactory,
  McpSessionOptions,
  McpSessionServerFactory,
} from '../interfaces/mcp-session-options.interface';
import { STORE_UNAVAILABLE } from '../gate/mcp-session.errors';
import type { McpSessionRequest } from '../gate/mcp-session.request';
import { MCP_SERVER_FACTORY } from '../mcp-session.constants';
import { SessionRecord } from '../contract/session-record';
import { shortId } from '../contract/session-store.error';
import type { LocalSession, LocalSessions } from './local-sessions';
import { loadSdk } from './sdk-loader';
import { replayInitialize } from './session-replay';
import { nodeRequest } from './web-http';

/** The `initialize` request of a POST body, as far as this module reads it. */
export interface InitializeMessage {
  method: 'initialize';
  params?: { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: unknown };
}

/** The `initialize` request in a POST body (single message or batch), if any. */
export function findInitialize(body: unknown): InitializeMessage | undefined {
  const messages = Array.isArray(body) ? body : [body];
  return messages.find(
    (m): m is InitializeMessage =>
      m !== null && typeof m === 'object' && (m as { method?: unknown }).method === 'initialize',
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Makes the records, transports and servers of `McpSessionTransports`: new
 * sessions from an `initialize`, rebuilt ones from a stored record.
 */
export class SessionBuilder {
  private serverFactory?: McpSessionServerFactory;

  constructor(
    private readonly options: McpSessionOptions,
    private readonly moduleRef: ModuleRef,
    private readonly sessions: LocalSessions,
    private readonly logger: LoggerService,
    /** Called once a transport exists (the transports provider starts its sweep). */
    private readonly onBuilt: () => void,
  ) {}

  /**
   * Stores the record of a new session: a crypto-random id, the protocol
   * version the SDK will negotiate, the client's info and capabilities, and
   * the owner when `resolveOwner` gives one.
   * @throws McpSessionRejection (503) when the store fails.
   */
  async createRecord(
    message: InitializeMessage,
    request: McpSessionRequest,
  ): Promise<SessionRecord> {
    const sdk = await loadSdk();
    const params = message.params ?? {};
    const requested = String(params.protocolVersion);
    const version = sdk.SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
      ? requested
      : sdk.LATEST_PROTOCOL_VERSION;
    const record = new SessionRecord(randomUUID(), version, this.options.ttl);
    if (params.clientInfo !== undefined) {
      record.clientInfo = params.clientInfo as SessionRecord['clientInfo'];
    }
    if (params.capabilities !== undefined) {
      record.clientCapabilities = params.capabilities as Record<string, unknown>;
    }
    const owner = this.options.resolveOwner?.(request as never);
    if (owner !== undefined) record.owner = owner;
    try {
      return await this.options.store.create(record);
    } catch (error) {
      this.logger.error(`Could not store a new session: ${describe(error)}`);
      throw STORE_UNAVAILABLE;
    }
  }

  /**
   * A fresh transport for `record.id`, connected to a fresh server. Its
   * `onsessionclosed` (DELETE) deletes the record; its closing removes it
   * from the local sessions.
   */
  async build(
    record: SessionRecord,
    onsessioninitialized?: (id: string) => void,
  ): Promise<LocalSession> {
    const sdk = await loadSdk();
    const createServer = this.resolveServerFactory();
    const transport = new sdk.WebStandardStreamableHTTPServerTransport({
      ...this.options.transport,
      sessionIdGenerator: () => record.id,
      onsessioninitialized,
      onsessionclosed: (id) => this.deleteRecord(id),
    });
    const server = await createServer(record);
    const session: LocalSession = { transport, server, expiresAt: record.expiresAt.getTime() };
    transport.onclose = () => this.sessions.forget(record.id, session);
    await server.connect(transport);
    this.onBuilt();
    return session;
  }

  /**
   * Rebuilds the session of a stored record that has no transport in this
   * process, by replaying its `initialize` (public SDK API only).
   */
  async restore(record: SessionRecord, request: McpSessionRequest): Promise<LocalSession> {
    const session = await this.build(record);
    try {
      await replayInitialize(session.transport, record, nodeRequest(request));
    } catch (error) {
      await session.server.close();
      throw error;
    }
    this.logger.log(`Restored session ${shortId(record.id)} in this process`);
    return session;
  }

  private async deleteRecord(id: string): Promise<void> {
    try {
      await this.options.store.delete(id);
    } catch (error) {
      this.logger.error(`Could not delete session ${shortId(id)}: ${describe(error)}`);
      throw STORE_UNAVAILABLE;
    }
  }

  private resolveServerFactory(): McpSessionServerFactory {
    if (this.serverFactory) return this.serverFactory;
    if (this.options.createServer) return (this.serverFactory = this.options.createServer);
    let provider: McpServerFactory | undefined;
    try {
      provider = this.moduleRef.get<McpServerFactory>(MCP_SERVER_FACTORY, { strict: false });
    } catch {
      provider = undefined;
    }
    if (typeof provider?.createServer !== 'function') {
      throw new Error(
        'McpSessionTransports needs a server factory: the McpSessionModule option "createServer", ' +
          'or a provider registered as MCP_SERVER_FACTORY',
      );
    }
    const factory = provider;
    return (this.serverFactory = (record) => factory.createServer(record));
  }
}
