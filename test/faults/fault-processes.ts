// Processes of the fault suite: one redis-server with append-only
// persistence (stopped and restarted on the same port and directory, hung
// with DEBUG SLEEP), and instances of fault-server.ts. Everything is stopped
// by port or by the PID this process started, never by name.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const HOST = '127.0.0.1';
/** The V8 heap limit of each instance (MB): with maxLocalSessions, what bounds its memory. */
export const HEAP_MB = 160;
const ROOT = resolve(__dirname, '../..');
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** A TCP port free a moment ago (never 6379, never one given before). */
const given = new Set<number>();
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const server = createServer();
      server.once('error', fail);
      server.listen(0, HOST, () => {
        const { port: found } = server.address() as { port: number };
        server.close(() => done(found));
      });
    });
    if (port !== 6379 && !given.has(port)) {
      given.add(port);
      return port;
    }
  }
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function run(command: string, args: string[], timeout = 20_000): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { timeout }, (error, stdout, stderr) =>
      error
        ? fail(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`))
        : done(stdout),
    );
  });
}

/** A redis-server with `appendonly yes` in its own directory, on one port for its whole life. */
export class FaultRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'mcp-faults-redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  /** Starts (or restarts, reading the append-only file back) and resolves once it answers PING. */
  async start(): Promise<void> {
    await run('redis-server', [
      '--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'yes',
      '--appendfsync', 'always', '--enable-debug-command', 'yes', '--daemonize', 'yes',
      '--dir', this.dir, '--pidfile', join(this.dir, 'redis.pid'), '--logfile', join(this.dir, 'redis.log'),
    ]); // prettier-ignore
    const deadline = Date.now() + 15_000;
    while (
      !(await this.cli('ping').then(
        (out) => out.trim() === 'PONG',
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await sleep(20);
    }
  }

  /** redis-cli against this server only. */
  cli(...args: string[]): Promise<string> {
    return run('redis-cli', ['-h', HOST, '-p', String(this.port), ...args], 10_000);
  }

  /** SHUTDOWN (the append-only file is flushed), and waits until the port is closed. */
  async stop(): Promise<void> {
    await this.cli('shutdown').catch(() => undefined);
    while (await canConnect(this.port)) await sleep(20);
  }

  /** Stops it for good and removes its directory. */
  async destroy(): Promise<void> {
    await this.cli('shutdown', 'nosave').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One fault-server.ts process. */
export class Instance {
  child?: ChildProcess;
  readonly log: string;
  private exited = true;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.log = join(logDir, `${name}.log`);
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  get alive(): boolean {
    return !this.exited;
  }

  async start(): Promise<void> {
    const log = openSync(this.log, 'a');
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MB}`,
        '-r',
        './bench/register.js',
        'test/faults/fault-server.ts',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.env, PORT: String(this.port) },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    this.child = child;
    this.exited = false;
    child.once('exit', () => (this.exited = true));
    const deadline = Date.now() + 90_000;
    while (!(await canConnect(this.port))) {
      if (this.exited || Date.now() > deadline) {
        throw new Error(`${this.name} did not start:\n${this.tail()}`);
      }
      await sleep(100);
    }
  }

  /** kill -9 (the PID this process started). */
  async kill(): Promise<void> {
    if (this.exited || !this.child) return;
    const gone = new Promise((done) => this.child!.once('exit', done));
    this.child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.exited || !this.child) return;
    const gone = new Promise((done) => this.child!.once('exit', done));
    this.child.kill('SIGTERM');
    const hard = setTimeout(() => this.child!.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(hard);
  }

  /** Resident set size now, in MB (Linux /proc). */
  rssMb(): number {
    if (this.exited || !this.child?.pid) return 0;
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  }

  /** Lines of its log that report an unhandled rejection or exception. */
  unhandled(): string[] {
    return this.text()
      .split('\n')
      .filter((line) => line.startsWith('FAULT-UNHANDLED'));
  }

  text(): string {
    try {
      return readFileSync(this.log, 'utf8');
    } catch {
      return '';
    }
  }

  tail(lines = 30): string {
    return this.text().split('\n').slice(-lines).join('\n');
  }
}
