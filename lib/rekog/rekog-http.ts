import { classifyInboundRequest } from '@modelcontextprotocol/server';
import { nodeRequest, nodeResponse } from '../sdk/web-http';
import type { PreflightAnswer } from './rekog-preflight';

/** What this transport reads of an Express or Fastify request. */
export interface FrameworkRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/**
 * The JSON body of a POST as rekog reads it: the framework's parsed body, else
 * the raw stream parsed here (and kept on the request for the next reader), or
 * `undefined` when it is empty or not JSON.
 */
export async function readJsonBody(request: FrameworkRequest): Promise<unknown> {
  if (request.body !== undefined) return request.body;
  const node = nodeRequest(request) as ReturnType<typeof nodeRequest> & { body?: unknown };
  if (node.body !== undefined) return node.body;
  const text = await new Promise<string>((resolve) => {
    let data = '';
    node.on('data', (chunk: Buffer | string) => (data += chunk.toString()));
    node.on('end', () => resolve(data));
    node.on('error', () => resolve(''));
  });
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (body !== undefined) request.body = body;
  return body;
}

/**
 * Whether a POST is MCP 2026-07-28 traffic, by the SDK's own classifier, as
 * rekog's transport decides it: whatever the SDK does not call legacy
 * (including its ladder rejections) belongs to the modern leg.
 */
export function isModern(request: FrameworkRequest, body: unknown): boolean {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const outcome = classifyInboundRequest({
    httpMethod: request.method ?? 'POST',
    protocolVersionHeader: header('mcp-protocol-version'),
    mcpMethodHeader: header('mcp-method'),
    mcpNameHeader: header('mcp-name'),
    body,
  });
  return outcome.kind !== 'legacy';
}

/** Writes a preflight answer (JSON) to an Express response or a Fastify reply. */
export function sendAnswer(response: object, answer: PreflightAnswer): void {
  const res = nodeResponse(response);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}
