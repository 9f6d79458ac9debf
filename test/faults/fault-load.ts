// The fault suite's clients: raw MCP over HTTP (no SDK client, no GET
// stream), and the tally of every answer by phase.

/** What one request ended with: an HTTP status, or `conn` when no answer came. */
export type Outcome = number | 'conn';

/** A phase's counts and times. */
export class Phase {
  sent = 0;
  readonly outcomes = new Map<string, number>();
  toolErrors = 0;
  /** When the fault was injected / the store came back (ms, Date.now()). */
  faultAt?: number;
  backAt?: number;
  /** ms from the fault to the first 503; ms from the store's return to the first success. */
  first503?: number;
  recovery?: number;

  constructor(readonly name: string) {}

  record(outcome: Outcome, startedAt: number, ok: boolean): void {
    this.sent++;
    const key = String(outcome);
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    const now = Date.now();
    if (outcome === 503 && this.faultAt !== undefined && this.first503 === undefined) {
      this.first503 = now - this.faultAt;
    }
    if (
      ok &&
      this.backAt !== undefined &&
      startedAt >= this.backAt &&
      this.recovery === undefined
    ) {
      this.recovery = now - this.backAt;
    }
  }

  /** Answers with a status of 500 or more, 503 excepted. */
  get fiveHundreds(): number {
    let n = 0;
    for (const [key, count] of this.outcomes) if (Number(key) >= 500 && key !== '503') n += count;
    return n;
  }
}

export const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** An answer read whole: status, headers and the first JSON-RPC message (JSON or SSE). */
export interface Reply {
  outcome: Outcome;
  headers?: Headers;
  message?: { result?: Record<string, unknown>; error?: { code: number; message: string } };
}

/** POSTs `body` (a string, or JSON) to `<url>/mcp`. Never rejects. */
export async function send(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Reply> {
  try {
    const res = await fetch(`${url}/mcp`, {
      method,
      headers: {
        ...(method === 'POST' ? JSON_HEADERS : { accept: JSON_HEADERS.accept }),
        ...headers,
      },
      body:
        method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let message: Reply['message'];
    const data = text.trim().startsWith('{')
      ? text
      : text
          .split('\n')
          .find((line) => line.startsWith('data: '))
          ?.slice(6);
    try {
      message = data ? JSON.parse(data) : undefined;
    } catch {
      message = undefined;
    }
    return { outcome: res.status, headers: res.headers, message };
  } catch {
    return { outcome: 'conn' };
  }
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'fault-client', version: '1.0.0' },
  },
};

/** initialize + notifications/initialized; the session id, or the failed outcome. */
export async function initialize(
  url: string,
  headers: Record<string, string> = {},
): Promise<string | Outcome> {
  const reply = await send(url, INITIALIZE, headers);
  const id = reply.headers?.get('mcp-session-id');
  if (reply.outcome !== 200 || !id) return reply.outcome;
  const done = await send(
    url,
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { ...headers, 'mcp-session-id': id },
  );
  return done.outcome === 202 ? id : done.outcome;
}

let nextId = 1;

/** A `tools/call` of the sample's `count` tool: the new count when it worked. */
export async function count(url: string, id: string): Promise<{ reply: Reply; value?: number }> {
  const reply = await send(
    url,
    {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name: 'count', arguments: { by: 1 } },
    },
    { 'mcp-session-id': id },
  );
  const result = reply.message?.result as
    { isError?: boolean; content?: { text: string }[] } | undefined;
  if (reply.outcome !== 200 || !result || result.isError) return { reply };
  return { reply, value: (JSON.parse(result.content![0].text) as { count: number }).count };
}

/** The session's stored counter, through the `session_info` tool; `undefined` when the session is gone. */
export async function storedCount(url: string, id: string): Promise<number | undefined> {
  const reply = await send(
    url,
    {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name: 'session_info', arguments: {} },
    },
    { 'mcp-session-id': id },
  );
  const result = reply.message?.result as { content?: { text: string }[] } | undefined;
  if (reply.outcome !== 200 || !result?.content) return undefined;
  const record = JSON.parse(result.content[0].text) as { data?: { count?: number } } | null;
  return record?.data?.count ?? 0;
}

/** A session of the load, and what its client saw succeed. */
export interface LoadSession {
  id: string;
  /** count calls answered with a value. */
  succeeded: number;
  /** count calls that got no answer (an instance killed under them): written or not, no one can say. */
  unsure: number;
  deleted: boolean;
}

/**
 * Runs `sessions` in parallel, each a loop of `count` calls on the next
 * live instance (round robin), recorded into `phase()`, until `done()`.
 */
export async function runLoad(
  sessions: LoadSession[],
  instances: () => string[],
  phase: () => Phase,
  done: () => boolean,
): Promise<void> {
  await Promise.all(
    sessions.map(async (session, index) => {
      let turn = index;
      while (!done()) {
        const urls = instances();
        const url = urls[turn++ % urls.length];
        const startedAt = Date.now();
        const { reply, value } = await count(url, session.id);
        const current = phase();
        current.record(reply.outcome, startedAt, value !== undefined);
        if (value !== undefined) session.succeeded++;
        else {
          if (reply.outcome === 'conn') session.unsure++;
          if (reply.outcome === 200) current.toolErrors++;
          // An instance that does not answer (killed) or a store that is down: do not spin.
          await new Promise((r) => setTimeout(r, reply.outcome === 'conn' ? 50 : 5));
        }
      }
    }),
  );
}
