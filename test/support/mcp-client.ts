import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** What the spec client declares in `initialize`. */
export const CLIENT_INFO = { name: 'spec-client', version: '1.2.3' };
export const CLIENT_CAPABILITIES = { roots: { listChanged: true }, sampling: {} };

/**
 * A tiny load balancer: every request of the clients that use its `fetch`
 * goes to the instance `target` names, whatever URL the client has.
 */
export class Router {
  constructor(public target: string) {}

  readonly fetch = (url: string | URL, init?: RequestInit): Promise<Response> => {
    const { pathname, search } = new URL(url);
    return fetch(`${this.target}${pathname}${search}`, init);
  };
}

/** An SDK client session through `router`. */
export interface McpClientSession {
  client: Client;
  transport: StreamableHTTPClientTransport;
  readonly sessionId: string;
  close(): Promise<void>;
}

/**
 * Connects the official SDK client (`Client` + `StreamableHTTPClientTransport`).
 * With `sessionId`, it resumes that session without initializing.
 */
export async function connect(
  router: Router,
  options: { headers?: Record<string, string>; sessionId?: string } = {},
): Promise<McpClientSession> {
  const transport = new StreamableHTTPClientTransport(new URL('http://mcp.invalid/mcp'), {
    fetch: router.fetch,
    requestInit: { headers: options.headers },
    sessionId: options.sessionId,
  });
  const client = new Client(CLIENT_INFO, { capabilities: CLIENT_CAPABILITIES });
  await client.connect(transport);
  return {
    client,
    transport,
    get sessionId() {
      return transport.sessionId!;
    },
    close: () => client.close(),
  };
}

/** The first text content of a tool result, parsed as JSON. */
export function toolJson(result: unknown): unknown {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0].text);
}

/**
 * POSTs a `tools/list` with `sessionId` straight to `url` (no SDK client), for
 * the status codes and JSON-RPC error bodies the session layer answers.
 */
export async function rawCall(
  url: string,
  sessionId: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}
