import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SessionRecord } from '../contract/session-record';
import { requestScope } from './request-scope';
import type { LegacyTransport } from './sdk-loader';
import { paramsOf, type StateChange } from './session-state';
import { baseUrl } from './web-http';

/** The JSON-RPC id of the requests the module replays: no client's, whatever it sends. */
const REPLAY_ID = `mcp-session-restore-${randomBytes(9).toString('base64url')}`;

/** Whether `id` is that of a request the module replayed (its answer goes to the module). */
export function isReplayId(id: unknown): boolean {
  return typeof id === 'string' && id.startsWith(REPLAY_ID);
}

/** The JSON-RPC result (or error) carried by an answer, JSON or SSE. */
function firstMessage(text: string): { result?: unknown; error?: { message?: string } } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  for (const line of trimmed.split('\n')) {
    if (line.startsWith('data:') && line.length > 6) return JSON.parse(line.slice(5));
  }
  return { error: { message: 'empty answer' } };
}

/**
 * POSTs `body` to the transport as the module's own request, with Host and
 * Origin copied from `request`; `resumable`: the transport has an event store,
 * which must not store this request's events (told through the request scope).
 */
async function post(
  transport: LegacyTransport,
  resumable: boolean,
  request: IncomingMessage,
  body: object,
  session?: SessionRecord,
): Promise<Response> {
  const headers = new Headers({
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  });
  if (request.headers.host !== undefined) headers.set('host', request.headers.host);
  const origin = request.headers.origin;
  if (typeof origin === 'string') headers.set('origin', origin);
  if (session !== undefined) {
    headers.set('mcp-session-id', session.id);
    headers.set('mcp-protocol-version', session.protocolVersion);
  }
  const url = new URL(request.url ?? '/', baseUrl(request));
  const init = { method: 'POST', headers, body: JSON.stringify(body) };
  const send = () => transport.handleRequest(new Request(url, init));
  // A scope only where something reads it: entering one turns on Node's
  // promise hooks for good, a cost every later promise of the process pays.
  return resumable ? requestScope.run({ internal: true }, send) : send();
}

/** Reads a replayed request's answer. @throws Error unless it is a 200 with a result. */
async function expectResult(answer: Response, what: string): Promise<void> {
  const reply = firstMessage(await answer.text());
  if (answer.status !== 200 || reply.error !== undefined) {
    throw new Error(
      `replayed ${what} was refused (HTTP ${answer.status}${reply.error ? `: ${reply.error.message}` : ''})`,
    );
  }
}

/**
 * Brings a fresh transport (already connected to a fresh server, with a
 * `sessionIdGenerator` that yields `record.id`) to the state of the stored
 * session through the SDK's public API only: it replays the client's
 * `initialize` (stored protocol version, client info and capabilities) and
 * `notifications/initialized`, as the client did on the first instance.
 * Host and Origin are copied from `request`, so DNS-rebinding protection
 * judges the replay as it judges the request itself. `resumable`: the
 * transport has an event store.
 * @throws Error when the server refuses the replay.
 */
export async function replayInitialize(
  transport: LegacyTransport,
  resumable: boolean,
  record: SessionRecord,
  request: IncomingMessage,
): Promise<void> {
  const initialize = {
    jsonrpc: '2.0',
    id: REPLAY_ID,
    method: 'initialize',
    params: {
      protocolVersion: record.protocolVersion,
      capabilities: record.clientCapabilities ?? {},
      clientInfo: record.clientInfo ?? { name: 'unknown', version: '0' },
    },
  };
  await expectResult(await post(transport, resumable, request, initialize), 'initialize');
  const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
  const answer = await post(transport, resumable, request, initialized, record);
  await answer.body?.cancel();
  if (answer.status !== 202) {
    throw new Error(`replayed notifications/initialized was refused (HTTP ${answer.status})`);
  }
}

/**
 * Replays state-changing requests (`logging/setLevel`,
 * `resources/subscribe`, `resources/unsubscribe`) into an initialized
 * transport, one after the other, so that its server holds the state the
 * session was left in on another instance.
 * @throws Error when the server refuses one (the rest are not sent).
 */
export async function replayChanges(
  transport: LegacyTransport,
  resumable: boolean,
  record: SessionRecord,
  request: IncomingMessage,
  changes: StateChange[],
): Promise<void> {
  for (const [index, change] of changes.entries()) {
    const body = {
      jsonrpc: '2.0',
      id: `${REPLAY_ID}:state:${index}`,
      method: change.method,
      params: paramsOf(change),
    };
    const answer = await post(transport, resumable, request, body, record);
    await expectResult(answer, change.method);
  }
}
