import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RoundResult } from '../support/measure';
/** The part of autocannon's API the bench uses (the package ships no types). */
interface AutocannonResult {
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
}
interface AutocannonRequest {
  headers?: Record<string, string>;
  body?: string;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

/** Connections autocannon keeps open. */
export const CONNECTIONS = 32;
/** Sessions each app serves, round-robin over the requests. */
export const SESSIONS = 64;
const PROTOCOL = '2025-11-25';
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/**
 * What a round sends: `session` 2025-11-25 requests spread over the app's
 * sessions, `stateless` 2025-11-25 requests without a session, `modern`
 * MCP 2026-07-28 requests.
 */
export type Traffic = 'session' | 'stateless' | 'modern';

/** One bench app in its own process. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  url: string;
  sessions: string[];
  traffic: Traffic;
}

/** Starts one bench app in its own process and opens its sessions (`session` traffic). */
export async function startApp(
  name: string,
  mode: string,
  redisPort?: number,
  traffic: Traffic = 'session',
): Promise<AppProcess> {
  const child = fork(join(__dirname, 'server.ts'), [mode, String(redisPort ?? '')], {
    // BENCH_CPU_PROF=<dir>: each app writes a V8 CPU profile there on exit.
    execArgv: [
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
      '-r',
      join(__dirname, '..', 'register.js'),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`bench app ${name} exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  const sessions: string[] = [];
  if (traffic === 'session')
    for (let i = 0; i < SESSIONS; i++) sessions.push(await initialize(url));
  return { name, child, url, sessions, traffic };
}

/** initialize + notifications/initialized; resolves to the session id. */
async function initialize(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: PROTOCOL,
        capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: {} },
        clientInfo: { name: 'bench', version: '0.0.0' },
      },
    }),
  });
  const id = response.headers.get('mcp-session-id');
  await response.text();
  if (response.status !== 200 || !id) throw new Error(`initialize answered ${response.status}`);
  const done = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await done.text();
  if (done.status !== 202) throw new Error(`notifications/initialized answered ${done.status}`);
  return id;
}

/** The app's CPU time and request count so far. */
export function stats(app: AppProcess): Promise<{ cpuMicros: number; requests: number }> {
  return new Promise((resolve) => {
    const listener = (message: { stats?: { cpuMicros: number; requests: number } }) => {
      if (!message.stats) return;
      app.child.off('message', listener);
      resolve(message.stats);
    };
    app.child.on('message', listener);
    app.child.send('stats');
  });
}

/** A round's throughput plus the app's CPU time per request (µs). */
export interface HttpRound extends RoundResult {
  cpuPerRequest: number;
}

const MODERN_HEADERS = {
  ...HEADERS,
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'echo',
};
const MODERN_META =
  '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}';

/** The headers and body of request `n` to `app`: a 2025 `tools/call` (in a session or not) or a 2026-07-28 one. */
function toolsCall(app: AppProcess, n: number, request: AutocannonRequest): AutocannonRequest {
  if (app.traffic === 'modern') {
    return {
      ...request,
      headers: MODERN_HEADERS,
      body: `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},${MODERN_META}}}`,
    };
  }
  return {
    ...request,
    headers:
      app.traffic === 'session'
        ? { ...request.headers, 'mcp-session-id': app.sessions[n % SESSIONS] }
        : request.headers,
    body: `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`,
  };
}

/** One autocannon round of tools/call, spread round-robin over the app's sessions (if any). */
export async function round(app: AppProcess, seconds: number): Promise<HttpRound> {
  const before = await stats(app);
  let n = 0;
  const result = await autocannon({
    url: app.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    // autocannon stops on its sampling tick (1 s by default): a round of 0.5 s would last 1 s.
    sampleInt: 100,
    headers: { ...HEADERS, 'mcp-protocol-version': PROTOCOL },
    requests: [
      {
        setupRequest: (request: AutocannonRequest) => toolsCall(app, ++n, request),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${app.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const after = await stats(app);
  return {
    ops: result['2xx'],
    perSec: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuPerRequest: (after.cpuMicros - before.cpuMicros) / (after.requests - before.requests),
  };
}
