import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonRpcErrorBody } from '../gate/mcp-session.errors';
import { deferredRequest } from './web-request';

/** Express `Response` / Fastify `FastifyReply` (`raw`, and `hijack()` to take over). */
type AnyResponse = ServerResponse | { raw: ServerResponse; hijack(): void };

/** The Node request under an Express or Fastify request. */
export function nodeRequest(request: object): IncomingMessage {
  const raw = (request as { raw?: IncomingMessage }).raw;
  return raw ?? (request as IncomingMessage);
}

/**
 * The Node response under an Express or Fastify reply. A Fastify reply is
 * hijacked, so that Fastify leaves the (possibly streaming) answer to us.
 */
export function nodeResponse(response: object): ServerResponse {
  const reply = response as AnyResponse;
  if ('hijack' in reply && typeof reply.hijack === 'function') {
    reply.hijack();
    return reply.raw;
  }
  return reply as ServerResponse;
}

/** The base URL of the request (`http://<host>`), for Web `Request`s built from it. */
export function baseUrl(request: IncomingMessage): string {
  return `http://${request.headers.host ?? 'localhost'}`;
}

/**
 * A Web `Request` with the Node request's method, URL and headers and no
 * body: the transport gets the framework's parsed body as `parsedBody`. The
 * native `Request` behind it is built on first need ({@link deferredRequest}).
 */
export function toWebRequest(request: object): Request {
  const node = nodeRequest(request);
  const headers = new Headers();
  for (const [name, value] of Object.entries(node.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return (
    deferredRequest(node.method, requestUrl(node), headers) ??
    new Request(new URL(node.url ?? '/', baseUrl(node)), { method: node.method, headers })
  );
}

/** A host (and port) that reads the same alone and as the authority of `http://<host>/path`. */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:[0-9]+)?$/;

/**
 * The URL of a Node request as `new URL(url, baseUrl(request))` resolves it,
 * as a string to parse once where that is certain to parse the same (a plain
 * host, a path that cannot read as an authority); `undefined` otherwise.
 */
function requestUrl(node: IncomingMessage): string | undefined {
  const url = node.url ?? '/';
  const host = node.headers.host ?? 'localhost';
  // The URL parser drops tabs and newlines (9, 10, 13) anywhere first.
  let next = 1;
  while ([9, 10, 13].includes(url.charCodeAt(next))) next++;
  const second = url.charCodeAt(next);
  // 47: '/', 92: '\\' (a special scheme's path reads it as '/').
  if (url.charCodeAt(0) === 47 && second !== 47 && second !== 92 && PLAIN_HOST.test(host)) {
    return `http://${host}${url}`;
  }
  return undefined;
}

/**
 * The whole of a body, read off its stream (cheaper than `arrayBuffer()`,
 * which takes the same chunks through more machinery): the one chunk a
 * string body makes, or the chunks joined.
 */
async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
}

/**
 * Writes a Web `Response` to a Node response, streaming its body (SSE
 * included) until it ends or the client goes away; with `chunks`, an SSE
 * body ends after that many chunks (the events already queued in it).
 */
export async function sendWebResponse(
  response: Response,
  res: ServerResponse,
  chunks = Infinity,
): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (response.body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (!headers['content-type']?.startsWith('text/event-stream')) {
    // A plain answer: headers and body in one write.
    const body = await readAll(response.body);
    headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  // An SSE stream may stay quiet for long: the client needs the headers now.
  res.flushHeaders();
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  res.once('close', cancel);
  try {
    for (let sent = 0; sent < chunks; sent++) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    if (chunks !== Infinity) cancel();
  } catch {
    // The stream was cancelled (client gone) or the transport closed it.
  } finally {
    res.off('close', cancel);
    res.end();
  }
}

/** Writes a JSON-RPC error answer (with `headers`, such as `retry-after`), unless an answer has already started. */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  body: JsonRpcErrorBody,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
