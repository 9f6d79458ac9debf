import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Injectable, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  MCP_SERVER_FACTORY,
  type McpServerContext,
  type McpServerFactory,
  McpSessionModule,
  type McpSessionModuleOptions,
  McpStateHandles,
  RedisServerEventBus,
  RedisSessionStore,
} from '../../lib';
import { McpController } from '../../sample/mcp.controller';
import { listen, type TestApp } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { createErasServer } from './eras.fixture';

/** The key every instance of the era specs shares. */
export const SHARED_KEY = 'eras-spec-request-state-key-0123456789';

@Injectable()
class ErasServerFactory implements McpServerFactory {
  constructor(private readonly handles: McpStateHandles) {}

  createServer(context: McpServerContext) {
    return createErasServer(context, this.handles);
  }
}

/** One instance of the era specs: its app, its (counted) store and its Redis connection. */
export interface ErasInstance extends TestApp {
  store: InstrumentedSessionStore;
  handles: McpStateHandles;
}

/**
 * Boots one instance over the Redis at `redisUrl`: a Redis store (counted),
 * a Redis event bus, owner binding from `x-user` and auth from `x-client`.
 */
export async function bootInstance(
  redisUrl: string,
  prefix: string,
  options: McpSessionModuleOptions = {},
): Promise<ErasInstance> {
  const client = new Redis(redisUrl);
  const store = new InstrumentedSessionStore(new RedisSessionStore(client, { keyPrefix: prefix }));
  const bus = new RedisServerEventBus(client, { channel: `${prefix}events` });
  @Module({
    imports: [
      McpSessionModule.forRoot({
        store,
        eventBus: bus,
        requestStateKey: SHARED_KEY,
        cleanupInterval: false,
        resolveOwner: (req: { headers: Record<string, string | undefined> }) => req.headers['x-user'],
        resolveAuthInfo: (req: { headers: Record<string, string | undefined> }) => {
          const clientId = req.headers['x-client'];
          return clientId ? { token: 'spec', clientId, scopes: [] } : undefined;
        },
        ...options,
      }),
    ],
    controllers: [McpController],
    providers: [ErasServerFactory, { provide: MCP_SERVER_FACTORY, useExisting: ErasServerFactory }],
  })
  class ErasModule {}
  const app = await listen('express', ErasModule);
  return {
    ...app,
    store,
    handles: app.app.get(McpStateHandles),
    close: async () => {
      await app.close();
      await bus.onApplicationShutdown();
      client.disconnect();
    },
  };
}

/** A load balancer that sends each HTTP request to the next instance in turn, and logs where. */
export class Hops {
  private next = 0;
  /** `instance index: Mcp-Method header (or HTTP method)` per request. */
  readonly log: string[] = [];

  constructor(private readonly urls: string[]) {}

  readonly fetch = (url: string | URL, init?: RequestInit): Promise<Response> => {
    const index = this.next++ % this.urls.length;
    const headers = new Headers(init?.headers);
    this.log.push(`${index}:${headers.get('mcp-method') ?? init?.method ?? 'GET'}`);
    const { pathname, search } = new URL(url);
    return fetch(`${this.urls[index]}${pathname}${search}`, init);
  };
}

/** Modes of the v2 client's version negotiation. */
export type Negotiation = 'legacy' | 'auto' | { pin: '2026-07-28' };

/** A v2 SDK client through `fetch`, with `headers` on every request and an elicitation answer. */
export async function connectV2(
  fetchVia: (url: string | URL, init?: RequestInit) => Promise<Response>,
  mode: Negotiation,
  headers: Record<string, string> = {},
): Promise<{ client: ClientV2; transport: TransportV2 }> {
  const client = new ClientV2(
    { name: 'eras-client', version: '1.0.0' },
    { capabilities: { elicitation: {} }, versionNegotiation: { mode } },
  );
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept' as const,
    content: { name: 'Ada' },
  }));
  const transport = new TransportV2(new URL('http://mcp.invalid/mcp'), {
    fetch: fetchVia,
    requestInit: { headers },
  });
  await client.connect(transport);
  return { client, transport };
}

/** The JSON of a tool result's first text block. */
export function toolJson(result: unknown): Record<string, unknown> {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0].text) as Record<string, unknown>;
}

/** Headers and `_meta` of a hand-made MCP 2026-07-28 `tools/call`. */
export function modernCall(
  name: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: {
        name,
        arguments: {},
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
        },
      },
    }),
  };
}
