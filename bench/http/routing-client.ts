import { fork, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';

const PROTOCOL = '2025-11-25';
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};
const inSession = (id: string) => ({
  ...HEADERS,
  'mcp-session-id': id,
  'mcp-protocol-version': PROTOCOL,
});

/** One routing-bench instance in its own process. */
export interface RoutingInstance {
  url: string;
  /** Calls so far to each method of the instance's session store. */
  storeCalls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Starts `routing-server.ts` on the Redis at `redisPort`. */
export async function startInstance(redisPort: number): Promise<RoutingInstance> {
  const child: ChildProcess = fork(join(__dirname, 'routing-server.ts'), [String(redisPort)], {
    execArgv: ['-r', join(__dirname, '..', 'register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`routing bench app exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    storeCalls: () =>
      new Promise((resolve) => {
        const listener = (message: { storeCalls?: Record<string, number> }) => {
          if (message.storeCalls === undefined) return;
          child.off('message', listener);
          resolve(message.storeCalls);
        };
        child.on('message', listener);
        child.send('store-calls');
      }),
    stop: async () => {
      child.disconnect();
      await exited;
    },
  };
}

/** initialize + notifications/initialized on `url`; resolves to the session id. */
export async function openSession(url: string): Promise<string> {
  const params = {
    protocolVersion: PROTOCOL,
    capabilities: { sampling: {} },
    clientInfo: { name: 'bench', version: '0' },
  };
  const answer = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params }),
  });
  await answer.text();
  const id = answer.headers.get('mcp-session-id');
  if (id === null) throw new Error(`initialize answered ${answer.status}`);
  const done = await fetch(url, {
    method: 'POST',
    headers: inSession(id),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await done.text();
  return id;
}

/** The JSON-RPC messages of an SSE body, as they arrive. */
async function* messages(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('');
      buffer = buffer.slice(end + 2);
      if (data.length > 0) yield JSON.parse(data) as Record<string, unknown>;
    }
  }
}

/** Calls tool `name` on `url` and reads the whole answer (a result is required). */
export async function callTool(
  url: string,
  sessionId: string,
  name: string,
  id: number,
  args = {},
) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: inSession(sessionId),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
  });
  for await (const message of messages(answer.body!)) if (message.id === id) return message;
  throw new Error(`no answer to tools/call ${name}`);
}

/**
 * One sampling round trip: `tools/call sample` on `callUrl`, the server's
 * `sampling/createMessage` answered with a POST to `answerUrl`, the tool's
 * result read back on the call's stream.
 */
export async function samplingRoundTrip(
  callUrl: string,
  answerUrl: string,
  sessionId: string,
  id: number,
) {
  const answer = await fetch(callUrl, {
    method: 'POST',
    headers: inSession(sessionId),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'sample', arguments: {} },
    }),
  });
  for await (const message of messages(answer.body!)) {
    if (message.method === 'sampling/createMessage') {
      const result = { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'bench' };
      const posted = await fetch(answerUrl, {
        method: 'POST',
        headers: inSession(sessionId),
        body: JSON.stringify({ jsonrpc: '2.0', id: message.id, result }),
      });
      await posted.text();
      if (posted.status !== 202) throw new Error(`the answer got ${posted.status}`);
    } else if (message.id === id) {
      if (message.error !== undefined) throw new Error(JSON.stringify(message.error));
      return;
    }
  }
  throw new Error('the sampling call ended without a result');
}

/** The client's GET stream on `url`: counts the events it receives. */
export async function openStream(url: string, sessionId: string) {
  const request = get(url, { headers: { ...inSession(sessionId), accept: 'text/event-stream' } });
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
    request.once('response', resolve).once('error', reject),
  );
  let events = 0;
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      if (buffer.slice(0, end).includes('data:')) events++;
      buffer = buffer.slice(end + 2);
    }
  });
  return { received: () => events, close: () => void request.destroy() };
}
