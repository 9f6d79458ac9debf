import type { LegacyTransport } from './sdk-loader';
import type { IncomingMessage } from 'node:http';
import type { SessionRecord } from '../contract/session-record';
import { baseUrl } from './web-http';

const REPLAY_ID = 'mcp-session-restore';

/** The JSON-RPC result (or error) carried by an initialize answer, JSON or SSE. */
function firstMessage(text: string): { result?: unknown; error?: { message?: string } } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  for (const line of trimmed.split('\n')) {
    if (line.startsWith('data:') && line.length > 6) return JSON.parse(line.slice(5));
  }
  return { error: { message: 'empty answer' } };
}

/**
 * Brings a fresh transport (already connected to a fresh server, with a
 * `sessionIdGenerator` that yields `record.id`) to the state of the stored
 * session through the SDK's public API only: it replays the client's
 * `initialize` (stored protocol version, client info and capabilities) and
 * `notifications/initialized`, as the client did on the first instance.
 * Host and Origin are copied from `request`, so DNS-rebinding protection
 * judges the replay as it judges the request itself.
 * @throws Error when the server refuses the replay.
 */
export async function replayInitialize(
  transport: LegacyTransport,
  record: SessionRecord,
  request: IncomingMessage,
): Promise<void> {
  const url = new URL(request.url ?? '/', baseUrl(request));
  const headers = new Headers({
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  });
  if (request.headers.host !== undefined) headers.set('host', request.headers.host);
  const origin = request.headers.origin;
  if (typeof origin === 'string') headers.set('origin', origin);

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
  const answer = await transport.handleRequest(
    new Request(url, { method: 'POST', headers, body: JSON.stringify(initialize) }),
  );
  const reply = firstMessage(await answer.text());
  if (answer.status !== 200 || reply.error !== undefined) {
    throw new Error(
      `replayed initialize was refused (HTTP ${answer.status}${reply.error ? `: ${reply.error.message}` : ''})`,
    );
  }

  headers.set('mcp-session-id', record.id);
  headers.set('mcp-protocol-version', record.protocolVersion);
  const initialized = await transport.handleRequest(
    new Request(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    }),
  );
  await initialized.body?.cancel();
  if (initialized.status !== 202) {
    throw new Error(`replayed notifications/initialized was refused (HTTP ${initialized.status})`);
  }
}
