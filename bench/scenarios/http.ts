import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext, Scenario } from '../support/context';
import { median, summarize, pairedRatio, type RoundResult } from '../support/measure';
import { progress } from '../support/progress';
import { benchRedis, stopRedis } from '../support/redis';
import { ratioAtLeast, row, type ScenarioResult, type Target } from '../support/report';

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

const CONNECTIONS = 32;
const SESSIONS = 64;
const PROTOCOL = '2025-11-25';
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** One bench app in its own process. */
interface AppProcess {
  name: string;
  child: ChildProcess;
  url: string;
  sessions: string[];
}

async function startApp(name: string, mode: string, redisPort?: number): Promise<AppProcess> {
  const child = fork(join(__dirname, '..', 'http', 'server.ts'), [mode, String(redisPort ?? '')], {
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
  for (let i = 0; i < SESSIONS; i++) sessions.push(await initialize(url));
  return { name, child, url, sessions };
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
function stats(app: AppProcess): Promise<{ cpuMicros: number; requests: number }> {
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
interface HttpRound extends RoundResult {
  cpuPerRequest: number;
}

/** One autocannon round of tools/call, spread round-robin over the app's sessions. */
async function round(app: AppProcess, seconds: number): Promise<HttpRound> {
  const before = await stats(app);
  let n = 0;
  const result = await autocannon({
    url: app.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { ...HEADERS, 'mcp-protocol-version': PROTOCOL },
    requests: [
      {
        setupRequest: (request: AutocannonRequest) => {
          n++;
          return {
            ...request,
            headers: { ...request.headers, 'mcp-session-id': app.sessions[n % SESSIONS] },
            body: `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`,
          };
        },
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

/** Scenario 4: tools/call through a real Nest MCP app, session layer on vs off. */
export const httpToolsCall: Scenario = {
  id: '4',
  title: 'HTTP: tools/call through a Nest MCP app',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const seconds = ctx.quick ? 1 : 3;
    const rounds = ctx.quick ? 3 : 5;
    const node = await benchRedis();
    const apps: AppProcess[] = [];
    try {
      // [name, mode, target]: the first app is the baseline.
      const plan: [string, string, Target | undefined][] = [
        ['session layer off (SDK transports in a Map)', 'plain', undefined],
        ['transports (the sample endpoint), memory store', 'transports', ratioAtLeast(0.9)],
        [
          'transports (the sample endpoint), caching over Redis',
          'transports-caching',
          ratioAtLeast(0.85),
        ],
        ['interceptor + transports, memory store', 'memory', ratioAtLeast(0.9)],
        ['interceptor + transports, caching over Redis', 'caching', ratioAtLeast(0.85)],
        ['interceptor alone on SDK transports, memory store', 'interceptor', undefined],
        ['no-op Nest interceptor on SDK transports', 'noop', undefined],
      ];
      for (const [name, mode] of plan) apps.push(await startApp(name, mode, node.port));
      for (const app of apps) await round(app, 1);
      const results: HttpRound[][] = apps.map(() => []);
      for (let r = 0; r < rounds; r++) {
        const order = apps.map((_, i) => i);
        if (r % 2 === 1) order.reverse();
        for (const i of order) {
          const result = await round(apps[i], seconds);
          results[i].push(result);
          progress(
            `s4 round ${r + 1}/${rounds} ${apps[i].name}: ${Math.round(result.perSec)} req/s, ` +
              `${Math.round(result.cpuPerRequest)} µs CPU/request`,
          );
        }
      }
      const summaries = apps.map((app, i) => summarize(app.name, results[i]));
      const off = summaries[0];
      const cpu = (k: number) => median(results[k].map((x) => x.cpuPerRequest));
      const subjects = plan.map((_, k) => k).slice(1);
      return {
        id: this.id,
        title: this.title,
        setup:
          `autocannon, ${CONNECTIONS} connections, ${SESSIONS} sessions round-robin, JSON responses, ` +
          `${rounds} alternating rounds of ${seconds} s; each app in its own process (Express); ` +
          `baseline p50 ${off.p50Ms} ms, p99 ${off.p99Ms} ms. App CPU per request: ` +
          `ratio = baseline CPU / subject CPU (requests per CPU-second, the ratio a saturated core would show)`,
        rows: [
          ...subjects.map((k) =>
            row({
              subject: summaries[k].name,
              unit: 'req/s',
              value: summaries[k].perSec,
              p50Ms: summaries[k].p50Ms,
              p99Ms: summaries[k].p99Ms,
              baselineName: 'session layer off',
              baseline: off.perSec,
              ratio: pairedRatio(summaries[k], off),
              target: plan[k][2],
              note: plan[k][2] ? undefined : 'orientation',
            }),
          ),
          ...subjects.map((k) =>
            row({
              subject: `${summaries[k].name}: app CPU per request`,
              unit: 'µs',
              value: cpu(k),
              baselineName: 'session layer off',
              baseline: cpu(0),
              ratio: median(
                results[k].map((x, r) => results[0][r].cpuPerRequest / x.cpuPerRequest),
              ),
            }),
          ),
        ],
      };
    } finally {
      for (const app of apps) {
        const exited = new Promise((resolve) => app.child.once('exit', resolve));
        app.child.disconnect();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (app.child.exitCode === null) app.child.kill();
      }
      await stopRedis(node);
    }
  },
};
