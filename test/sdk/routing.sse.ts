import { get, type IncomingMessage } from 'node:http';

/** One SSE event as the client sees it. */
export interface SseEvent {
  id?: string;
  data: string;
}

/** An SSE response being read event by event. */
export interface SseReader {
  status: number;
  /** The next event with data (priming events and comments skipped), or `undefined` at the end. */
  next(): Promise<SseEvent | undefined>;
  /** The id of the last event seen, priming events included. */
  readonly lastId: string | undefined;
  /** Aborts the request. */
  close(): void;
}

const ACCEPT_BOTH = 'application/json, text/event-stream';

/** Headers of a request in session `sessionId` (2025-11-25). */
export function sessionHeaders(sessionId: string, extra: Record<string, string> = {}) {
  return {
    'content-type': 'application/json',
    accept: ACCEPT_BOTH,
    'mcp-session-id': sessionId,
    'mcp-protocol-version': '2025-11-25',
    ...extra,
  };
}

/**
 * Opens a GET on `url` and reads its SSE body (node:http, so that `close`
 * really closes the connection and the server sees it go at once).
 */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseReader> {
  const request = get(url, { headers });
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve).once('error', reject);
  });
  response.setEncoding('utf8');
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
  const reader = {
    read: async (): Promise<{ done: boolean; value: string }> => {
      const { done, value } = await chunks.next();
      return { done: done === true, value: done ? '' : value };
    },
  };
  let buffer = '';
  let lastId: string | undefined;
  const pending: SseEvent[] = [];
  const parse = () => {
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) event.id = line.slice(3).trim();
        else if (line.startsWith('data:')) event.data += line.slice(5).trim();
      }
      if (event.id !== undefined) lastId = event.id;
      if (event.data.length > 0) pending.push(event);
    }
  };
  return {
    status: response.statusCode ?? 0,
    get lastId() {
      return lastId;
    },
    async next() {
      for (;;) {
        const event = pending.shift();
        if (event) return event;
        let chunk: { done: boolean; value: string };
        try {
          chunk = await reader.read();
        } catch {
          return undefined;
        }
        if (chunk.done) return undefined;
        buffer += chunk.value;
        parse();
      }
    },
    close: () => void request.destroy(),
  };
}

/** Starts a session on `url` by hand (initialize + initialized). @returns its id. */
export async function rawSession(url: string): Promise<string> {
  const answer = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { elicitation: {} },
        clientInfo: { name: 'raw', version: '1.0.0' },
      },
    }),
  });
  await answer.text();
  const sessionId = answer.headers.get('mcp-session-id');
  if (sessionId === null) throw new Error(`initialize refused: ${answer.status}`);
  const initialized = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: sessionHeaders(sessionId),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  return sessionId;
}

/** POSTs a JSON-RPC message in session `sessionId` and reads the whole answer. */
export async function rawPost(url: string, sessionId: string, message: object) {
  const answer = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: sessionHeaders(sessionId),
    body: JSON.stringify(message),
  });
  return { status: answer.status, text: await answer.text() };
}

/** Calls tool `name` by hand. */
export function rawTool(url: string, sessionId: string, name: string, id: number) {
  return rawPost(url, sessionId, { jsonrpc: '2.0', id, method: 'tools/call', params: { name } });
}
