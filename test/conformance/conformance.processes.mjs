// Processes of the conformance runner: free ports, sample instances, a
// redis-server (stopped by port, never by name) and the suite itself.
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const given = new Set();

/**
 * A TCP port that was free a moment ago on 127.0.0.1 (never 6379, never one
 * this process was given before: a port is only taken once its server
 * starts, and several start in parallel).
 */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const { port: found } = server.address();
        server.close(() => resolve(found));
      });
    });
    if (port !== 6379 && !given.has(port)) {
      given.add(port);
      return port;
    }
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(path, lines = 30) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts one sample instance (`node <entry>`) on `port` with `env` added, its
 * output in `logPath`, and resolves once the port accepts connections. Rejects
 * with the log's tail if the process exits first or is not up in `timeoutMs`.
 */
export async function startSample({ entry, port, env, logPath, timeoutMs = 60_000 }) {
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? code));
  const stop = async () => {
    if (exited !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(hard);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (exited !== null) {
      throw new Error(
        `sample on port ${port} exited (${exited}) before listening:\n${tail(logPath)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `sample on port ${port} not listening after ${timeoutMs} ms:\n${tail(logPath)}`,
      );
    }
    await sleep(100);
  }
  return { port, pid: child.pid, stop };
}

function run(command, args, timeout = 30_000) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`))
        : resolve(stdout),
    );
  });
}

/** Starts a throwaway redis-server on `port` (no persistence, daemonized). */
export async function startRedis(port, dir) {
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--logfile',
    `${dir}/redis-${port}.log`,
  ]);
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await sleep(50);
  }
  return { port, url: `redis://${HOST}:${port}`, stop: () => stopRedis(port) };
}

/** Stops the redis-server on `port` (by port only); quiet if it is already gone. */
export async function stopRedis(port) {
  try {
    await run('redis-cli', ['-h', HOST, '-p', String(port), 'shutdown', 'nosave'], 10_000);
  } catch {
    // already stopped: `shutdown` closes the connection, or nothing listened
  }
}

const suites = new Set();

/** Kills the suite processes still running (for cleanup on a signal or the watchdog). */
export function killSuites() {
  for (const child of suites) child.kill('SIGKILL');
}

/**
 * Runs the conformance suite's `server` command for one requirement set
 * (`requirements`, a spec revision) with the Node 22 binary, its output
 * written to `logPath`, killed after `timeoutMs`; `scenarioTimeoutMs`
 * replaces the suite's per-scenario timeout (30 s). Resolves to the exit
 * code and the whole output.
 */
export function runSuite(options) {
  const { node22, cli, url, requirements, expectedFailures, outputDir, logPath, timeoutMs } =
    options;
  return new Promise((resolve) => {
    const args = [cli, 'server', '--url', url, '--requirements', requirements];
    args.push('--expected-failures', expectedFailures, '--output-dir', outputDir);
    if (options.scenarioTimeoutMs) args.push('--timeout', String(options.scenarioTimeoutMs));
    const child = spawn(node22, args, {
      cwd: outputDir,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    suites.add(child);
    const log = openSync(logPath, 'w');
    const chunks = [];
    const keep = (chunk) => {
      chunks.push(chunk);
      try {
        writeSync(log, chunk);
      } catch {
        // the log is a convenience
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('close', (code) => {
      suites.delete(child);
      clearTimeout(timer);
      closeSync(log);
      resolve({
        code: timedOut ? 124 : (code ?? 1),
        timedOut,
        output: Buffer.concat(chunks).toString('utf8'),
      });
    });
  });
}
