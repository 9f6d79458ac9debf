/* eslint-disable @typescript-eslint/no-require-imports */
import type { Cluster, Redis } from 'ioredis';
import {
  McpSessionTransports,
  type McpSessionModuleOptions,
  RedisEventStore,
  RedisSessionMessageBus,
  RedisSessionStore,
} from '../../lib';
import type { RedisClient } from '../../lib/stores/redis/redis-client';
import type { RedisEventStoreClient } from '../../lib/stores/redis/redis-event-store.options';
import { McpController } from '../../sample/mcp.controller';
import { bootApp, type TestApp } from '../support/http-app';
import { createRoutingServer, type SdkLine } from './routing.fixture';

/** One instance of the routing specs. */
export interface RoutedInstance extends TestApp {
  transports: McpSessionTransports;
  bus: RedisSessionMessageBus;
}

/** How to boot an instance: its Redis connection, shared key prefix and SDK line. */
export interface RoutedSetup {
  connect: () => Redis | Cluster;
  prefix: string;
  line: SdkLine;
  /** How long `elicit` waits for its answer (ms). */
  answerTimeout?: number;
  /** How long a store or event-store command may take (ms). Default 1000. */
  commandTimeout?: number;
  options?: McpSessionModuleOptions;
}

/**
 * Boots one instance: a Redis store, a Redis session message bus and a Redis
 * event store on one connection of its own, the routing server, SSE retry
 * 100 ms (clients resume fast).
 */
export async function bootRouted(setup: RoutedSetup): Promise<RoutedInstance> {
  const client = setup.connect();
  const bus = new RedisSessionMessageBus(client as never, { channel: `${setup.prefix}bus` });
  const app = await bootApp(
    'express',
    {
      store: new RedisSessionStore(client as unknown as RedisClient, {
        keyPrefix: `${setup.prefix}s:`,
        commandTimeout: setup.commandTimeout,
      }),
      messageBus: bus,
      eventStore: new RedisEventStore(client as unknown as RedisEventStoreClient, {
        keyPrefix: `${setup.prefix}e:`,
        commandTimeout: setup.commandTimeout,
      }),
      cleanupInterval: false,
      transport: { retryInterval: 100 },
      requestStateKey: 'routing-spec-request-state-key-0123456789',
      createServer: (context) => createRoutingServer(setup.line, context, setup.answerTimeout),
      ...setup.options,
    },
    [McpController],
  );
  let closed = false;
  return {
    ...app,
    bus,
    transports: app.app.get(McpSessionTransports),
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      client.disconnect();
    },
  };
}

/** Where a split router sends each kind of HTTP request (instance base URLs). */
export interface Targets {
  /** POSTs of requests and notifications (`initialize`, `tools/call`, ...). */
  requests: string;
  /** POSTs of the client's answers to server requests. */
  answers: string;
  /** GETs (the standalone stream and resumptions). */
  streams: string;
  /** DELETEs. */
  deletes: string;
}

/** A load balancer by message kind; `log` lists `<target>:<what>` per request. */
export class Split {
  readonly log: string[] = [];

  constructor(public targets: Targets) {}

  readonly fetch = (url: string | URL, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    let kind: keyof Targets =
      method === 'GET' ? 'streams' : method === 'DELETE' ? 'deletes' : 'requests';
    if (method === 'POST' && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { method?: string };
      if (body.method === undefined) kind = 'answers';
    }
    const base = this.targets[kind];
    this.log.push(`${base}:${kind}`);
    const { pathname, search } = new URL(url);
    return fetch(`${base}${pathname}${search}`, init);
  };
}

/** The client of a spec: the official SDK client of line `line` (v2 in legacy mode). */
export interface SpecClient {
  client: {
    callTool(params: { name: string }): Promise<unknown>;
    request(request: object, schema: unknown): Promise<unknown>;
    setLoggingLevel(level: string): Promise<unknown>;
    subscribeResource(params: { uri: string }): Promise<unknown>;
    close(): Promise<void>;
  };
  transport: { sessionId?: string; terminateSession(): Promise<void> };
  /** The URIs of `notifications/resources/updated` received. */
  updates: string[];
  /** Lets the next answer to a server request wait for `gate` first. */
  hold(gate: () => Promise<void>): void;
}

/**
 * Connects the official client of SDK line `line` through `fetch`: it
 * answers sampling ("Paris"), elicitation (accept, name Ada) and roots
 * (`file:///spec`), and records resource updates.
 */
export async function connectClient(
  line: SdkLine,
  fetchVia: (url: string | URL, init?: RequestInit) => Promise<Response>,
): Promise<SpecClient> {
  const updates: string[] = [];
  let gate: (() => Promise<void>) | undefined;
  const waitGate = async () => {
    const current = gate;
    gate = undefined;
    await current?.();
  };
  const answers = {
    sampling: async () => {
      await waitGate();
      return { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'spec' };
    },
    elicitation: async () => {
      await waitGate();
      return { action: 'accept', content: { name: 'Ada' } };
    },
    roots: async () => {
      await waitGate();
      return { roots: [{ uri: 'file:///spec', name: 'spec' }] };
    },
  };
  const capabilities = { sampling: {}, elicitation: {}, roots: { listChanged: true } };
  const url = new URL('http://mcp.invalid/mcp');
  let client: SpecClient['client'] & Record<string, (...args: unknown[]) => unknown>;
  let transport: SpecClient['transport'];
  if (line === 1) {
    const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
    const {
      StreamableHTTPClientTransport,
    } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const types = require('@modelcontextprotocol/sdk/types.js');
    client = new Client({ name: 'routing-v1', version: '1.0.0' }, { capabilities });
    client.setRequestHandler(types.CreateMessageRequestSchema, answers.sampling);
    client.setRequestHandler(types.ElicitRequestSchema, answers.elicitation);
    client.setRequestHandler(types.ListRootsRequestSchema, answers.roots);
    client.setNotificationHandler(
      types.ResourceUpdatedNotificationSchema,
      (n: { params: { uri: string } }) => {
        updates.push(n.params.uri);
      },
    );
    transport = new StreamableHTTPClientTransport(url, { fetch: fetchVia });
  } else {
    const { Client, StreamableHTTPClientTransport } = require('@modelcontextprotocol/client');
    client = new Client({ name: 'routing-v2', version: '1.0.0' }, { capabilities });
    client.setRequestHandler('sampling/createMessage', answers.sampling);
    client.setRequestHandler('elicitation/create', answers.elicitation);
    client.setRequestHandler('roots/list', answers.roots);
    client.setNotificationHandler(
      'notifications/resources/updated',
      (n: { params: { uri: string } }) => {
        updates.push(n.params.uri);
      },
    );
    transport = new StreamableHTTPClientTransport(url, { fetch: fetchVia });
  }
  await (client as unknown as { connect(t: unknown): Promise<void> }).connect(transport);
  return {
    client,
    transport,
    updates,
    hold: (wait) => {
      gate = wait;
    },
  };
}

/** The JSON of a tool result's first text block, with its `isError`. */
export function result(value: unknown): Record<string, unknown> {
  const { content, isError } = value as { content: { text: string }[]; isError?: boolean };
  return {
    ...(JSON.parse(content[0].text) as Record<string, unknown>),
    ...(isError ? { isError } : {}),
  };
}
