import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Controller, Module, UseGuards } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  McpHttpControllerFor,
  McpStrategy,
  StreamableHttpTransport,
  type StreamableHttpTransportOptions,
} from '@rekog/mcp-nest';
import { Redis } from 'ioredis';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpSessionModule, RedisSessionStore } from '../../lib';
import { McpSessionHttpTransport } from '../../lib/rekog';
import type { Platform } from '../support/http-app';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { BearerGuard, INSTANCE_NAME, SpecTools } from './rekog.fixture';

/** rekog's pre-SDK checks, on in every rekog spec app (ours and plain rekog alike). */
export const CHECKS: Pick<StreamableHttpTransportOptions, 'security' | 'stepUpAuthorization'> = {
  security: { allowedOrigins: ['app.example.com'], allowedHosts: ['127.0.0.1', 'localhost'] },
  stepUpAuthorization: {
    resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource',
  },
};

/** One booted rekog app. */
export interface RekogInstance {
  name: string;
  url: string;
  /** The session store (counted); absent for plain rekog. */
  store?: InstrumentedSessionStore;
  close(): Promise<void>;
}

async function start(platform: Platform, root: object, strategy: McpStrategy, name: string) {
  const moduleRef = await Test.createTestingModule({ imports: [root as never] }).compile();
  const app = moduleRef.createNestApplication(
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: false },
  );
  app.connectMicroservice({ strategy });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, name };
}

/**
 * Boots a rekog app whose 2025-era sessions live in a Redis store under
 * `prefix` (owner binding on `req.user.sub`), with rekog's checks on.
 */
export async function bootRekog(
  platform: Platform,
  redisUrl: string,
  prefix: string,
  name: string,
): Promise<RekogInstance> {
  const client = new Redis(redisUrl);
  const store = new InstrumentedSessionStore(new RedisSessionStore(client, { keyPrefix: prefix }));
  const transport = new McpSessionHttpTransport(CHECKS);
  const strategy = new McpStrategy({
    name: 'rekog-spec',
    version: '1.0.0',
    transports: [transport],
  });

  @Controller('mcp')
  @UseGuards(BearerGuard)
  class McpHttp extends McpHttpControllerFor(transport) {}

  @Module({
    imports: [
      McpSessionModule.forRoot({
        store,
        requestStateKey: 'rekog-spec-request-state-key-0123456789',
        cleanupInterval: false,
        // The module's own Origin check (2025-era leg) lets in what rekog's `security` lets in.
        transport: { allowedOrigins: ['https://app.example.com'] },
        resolveOwner: (req: { user?: { sub?: string } }) => req.user?.sub,
      }),
    ],
    controllers: [McpHttp, SpecTools],
    providers: [transport.provider, { provide: INSTANCE_NAME, useValue: name }],
  })
  class RekogSpecModule {}

  const { app, url } = await start(platform, RekogSpecModule, strategy, name);
  return {
    name,
    url,
    store,
    close: async () => {
      await app.close();
      client.disconnect();
    },
  };
}

/** Boots the same tools on plain rekog (`StreamableHttpTransport`, stateful, in memory), same checks. */
export async function bootPlainRekog(platform: Platform, name = 'plain'): Promise<RekogInstance> {
  const transport = new StreamableHttpTransport({ ...CHECKS, statefulMode: true });
  const strategy = new McpStrategy({
    name: 'rekog-spec',
    version: '1.0.0',
    transports: [transport],
  });

  @Controller('mcp')
  @UseGuards(BearerGuard)
  class McpHttp extends McpHttpControllerFor(transport) {}

  @Module({
    controllers: [McpHttp, SpecTools],
    providers: [{ provide: INSTANCE_NAME, useValue: name }],
  })
  class PlainRekogModule {}

  const { app, url } = await start(platform, PlainRekogModule, strategy, name);
  return { name, url, close: () => app.close() };
}

/**
 * A load balancer over instances that can be replaced (a restart), sending
 * each HTTP request to the next one in turn. Every request is stamped
 * `x-seq: <n>` and carries the current `Authorization`; the log says where
 * each went.
 */
export class Hops {
  private next = 0;
  private seq = 0;
  /** `Authorization` sent from now on (`undefined`: none). */
  authorization?: string;
  /** One entry per HTTP request. */
  readonly log: { seq: string; instance: string; method: string; rpc: string | null }[] = [];

  constructor(public instances: RekogInstance[]) {}

  readonly fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const instance = this.instances[this.next++ % this.instances.length];
    const headers = new Headers(init?.headers);
    const seq = String(++this.seq);
    headers.set('x-seq', seq);
    if (this.authorization) headers.set('authorization', this.authorization);
    const body =
      typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : {};
    this.log.push({
      seq,
      instance: instance.name,
      method: init?.method ?? 'GET',
      rpc: body.method ?? null,
    });
    const { pathname, search } = new URL(url);
    return fetch(`${instance.url}${pathname}${search}`, { ...init, headers });
  };

  /** The log entry of the last HTTP request that carried JSON-RPC method `rpc`. */
  last(rpc: string) {
    return this.log.filter((entry) => entry.rpc === rpc).at(-1)!;
  }
}

/** Protocol negotiation of the v2 client: 2025-era sessions, or pinned to 2026-07-28. */
export type Era = 'legacy' | { pin: '2026-07-28' };

/** The official v2 SDK client through `fetch`; with `sessionId`, it resumes that session without initializing. */
export async function connectClient(
  fetchVia: (url: string | URL, init?: RequestInit) => Promise<Response>,
  mode: Era,
  sessionId?: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client(
    { name: 'rekog-spec-client', version: '1.0.0' },
    { versionNegotiation: { mode } },
  );
  const transport = new StreamableHTTPClientTransport(new URL('http://mcp.invalid/mcp'), {
    fetch: fetchVia,
    sessionId,
  });
  await client.connect(transport);
  return { client, transport };
}

/** The JSON of a tool result's first text block. */
export function toolJson(result: unknown): Record<string, unknown> {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0].text) as Record<string, unknown>;
}

/** What a raw request got back: status, the headers the checks set, and the JSON body. */
export interface RawAnswer {
  status: number;
  wwwAuthenticate: string | null;
  /** The `mcp-session-id` answered, if any. */
  sessionId?: string;
  body: unknown;
}

/**
 * Sends one request straight to `url`/mcp with `node:http` (no SDK client;
 * `fetch` would not send another `Host`).
 */
export function rawRequest(
  url: string,
  method: 'POST' | 'GET' | 'DELETE',
  headers: Record<string, string>,
  body?: unknown,
): Promise<RawAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/mcp`,
      {
        method,
        headers: {
          accept: 'application/json, text/event-stream',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const header = res.headers['www-authenticate'];
          const sessionId = res.headers['mcp-session-id'];
          resolve({
            status: res.statusCode ?? 0,
            wwwAuthenticate: typeof header === 'string' ? header : null,
            ...(typeof sessionId === 'string' ? { sessionId } : {}),
            body: res.headers['content-type']?.includes('json') ? JSON.parse(text) : text,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Opens a 2025-era session on `url` with raw requests (`initialize`, then
 * `notifications/initialized`): no SDK client, so no GET stream either.
 * @returns the session id.
 */
export async function rawSession(url: string, authorization: string): Promise<string> {
  const init = await rawRequest(
    url,
    'POST',
    { authorization },
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'rekog-spec-raw', version: '1.0.0' },
      },
    },
  );
  if (init.status !== 200 || init.sessionId === undefined)
    throw new Error(`initialize: HTTP ${init.status}`);
  const headers = {
    authorization,
    'mcp-session-id': init.sessionId,
    'mcp-protocol-version': '2025-11-25',
  };
  const done = await rawRequest(url, 'POST', headers, {
    jsonrpc: '2.0',
    method: 'notifications/initialized',
  });
  if (done.status !== 202) throw new Error(`notifications/initialized: HTTP ${done.status}`);
  return init.sessionId;
}

/** A 2025-era `tools/call` of session `sessionId`. */
export function legacyCall(sessionId: string, authorization: string, name: string, args = {}) {
  return {
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', authorization },
    body: { jsonrpc: '2.0', id: 41, method: 'tools/call', params: { name, arguments: args } },
  };
}

/** An MCP 2026-07-28 `tools/call` (envelope in `_meta`, SEP-2243 headers). */
export function modernCall(authorization: string, name: string, args = {}) {
  return {
    headers: {
      authorization,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: {
      jsonrpc: '2.0',
      id: 42,
      method: 'tools/call',
      params: {
        name,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    },
  };
}

/** The `result` of the JSON-RPC response in an SSE answer body. */
export function sseResult(body: unknown): unknown {
  const data = String(body)
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.includes('"result"'));
  if (data.length !== 1) throw new Error(`no single result in ${String(body)}`);
  return (JSON.parse(data[0].slice('data: '.length)) as { result: unknown }).result;
}
