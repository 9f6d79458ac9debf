// A small round-robin HTTP proxy for the conformance hop runs.
// 2025-era traffic (sessions): every request that carries a JSON-RPC message
// (POST, DELETE) goes to the other instance than the previous such request of
// the same session did; an `initialize` (no session yet) goes to the other
// instance than the previous session-less request. A GET (the client's
// standalone SSE stream) goes to the instance that did not create the session.
// The SDK client opens that GET concurrently with its first call, so counting
// GETs in the alternation would make the instance of every later message
// depend on a race, and the suite's results with it; this way every message
// of a session hops, deterministically.
// MCP 2026-07-28 traffic has no session: each request goes to the other
// instance than the previous session-less request, so consecutive requests
// of a scenario (the rounds of an input_required call, a listen stream and
// the call that triggers its notification) land on different instances.
// Bodies and responses (SSE streams included) are streamed through untouched;
// the Host header is kept, as a load balancer in front of the instances would
// keep it. Loopback only.
import { request as httpRequest, createServer } from 'node:http';
import { appendFileSync } from 'node:fs';

const HOST = '127.0.0.1';

/** One line about a JSON-RPC body, for the trace: method and id, or a response id. */
function describeBody(text) {
  if (!text) return '';
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return 'unparsable body';
  }
  const one = (m) =>
    m.method
      ? `${m.method}${m.id !== undefined ? ` #${m.id}` : ''}`
      : `response #${m.id}${m.error ? ' (error)' : ''}`;
  return Array.isArray(body) ? `batch[${body.map(one).join(', ')}]` : one(body);
}

/**
 * Starts the proxy on `port` (0: any free one) in front of `targets` (ports on
 * 127.0.0.1, named A, B, ...).
 * `tracePath`, when given, receives one line per request: which instance got
 * it, the HTTP method, the session id prefix, the JSON-RPC message and the
 * answer's status and content type.
 */
export async function startRoundRobinProxy({ targets, tracePath, port = 0 }) {
  const names = targets.map((_, i) => String.fromCharCode(65 + i));
  const counts = Object.fromEntries(names.map((n) => [n, 0]));
  const other = (index) => (index + 1) % targets.length;
  let lastSessionless = targets.length - 1; // instance of the last request without a session
  const lastMessage = new Map(); // session id -> instance of its last POST/DELETE
  const creator = new Map(); // session id -> instance that answered its initialize
  let seq = 0;
  const sockets = new Set();

  const pick = (sessionId, method) => {
    if (sessionId === undefined) return (lastSessionless = other(lastSessionless));
    const created = creator.get(sessionId);
    if (method === 'GET') return created === undefined ? 0 : other(created);
    const index = other(lastMessage.get(sessionId) ?? created ?? 0);
    lastMessage.set(sessionId, index);
    return index;
  };

  const server = createServer((req, res) => {
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = typeof sessionHeader === 'string' ? sessionHeader : undefined;
    const index = pick(sessionId, req.method);
    const name = names[index];
    const n = ++seq;
    counts[name] += 1;
    const session = (sessionId ?? '-').slice(0, 8);
    const seen = [];
    let seenBytes = 0;

    const upstream = httpRequest(
      { host: HOST, port: targets[index], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const issued = answer.headers['mcp-session-id'];
        if (sessionId === undefined && typeof issued === 'string') {
          creator.set(issued, index);
          lastMessage.set(issued, index);
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders(); // an SSE stream may stay silent for a while: send headers now
        answer.pipe(res);
        if (tracePath) {
          const type = String(answer.headers['content-type'] ?? '-').split(';')[0];
          const what = describeBody(Buffer.concat(seen).toString('utf8'));
          appendFileSync(
            tracePath,
            `${String(n).padStart(4)} -> ${name} ${req.method.padEnd(6)} session=${session.padEnd(8)} ` +
              `${what || '(no body)'} => ${answer.statusCode} ${type}\n`,
          );
        }
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: instance ${name} failed: ${error.message}`);
      } else {
        res.destroy(error);
      }
    });
    // The client went away (it closed an SSE stream): close the upstream side too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.on('data', (chunk) => {
      if (seenBytes < 65536) seen.push(chunk);
      seenBytes += chunk.length;
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  return {
    port: server.address().port,
    counts,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
