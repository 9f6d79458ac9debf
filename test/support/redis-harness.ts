import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './wait';

/**
 * Real redis-server processes for tests: single nodes and a 3-master cluster
 * on free ports, stopped by port (`redis-cli -p P shutdown nosave`), never by
 * process name. Port 6379 (the system's Redis) is never used.
 */

/** A redis-server started by {@link startRedisNode}. */
export interface RedisNode {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** stop (shutdown nosave, by port) */
  stop(): Promise<void>;
  /** start again on the same port */
  start(): Promise<void>;
}

/** A 3-master cluster started by {@link startRedisCluster}. */
export interface RedisClusterHandle {
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const INSTALL_HINT =
  'redis-server and redis-cli must be on the PATH for the Redis tests ' +
  '(Debian/Ubuntu: apt-get install -y redis-server)';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`${cmd} not found: ${INSTALL_HINT}`));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

let checked: Promise<void> | undefined;
function checkInstalled(): Promise<void> {
  checked ??= (async () => {
    await run('redis-server', ['--version']);
    await run('redis-cli', ['--version']);
  })();
  return checked;
}

/** A port the OS says is free right now (bound to 0 on 127.0.0.1, then closed). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() =>
        port > 0 && port !== 6379 ? resolve(port) : reject(new Error('no port')),
      );
    });
  });
}

async function cli(port: number, ...args: string[]): Promise<RunResult> {
  if (port === 6379) throw new Error('redis-harness never touches port 6379');
  return run('redis-cli', ['-h', HOST, '-p', String(port), ...args], 5_000);
}

async function answers(port: number): Promise<boolean> {
  const result = await cli(port, 'ping');
  return result.code === 0 && result.stdout.trim() === 'PONG';
}

/** Polls `check` (each one a redis-cli process) every 20 ms until it holds. */
function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  return eventually(`redis-harness: ${what}`, check, { timeoutMs, everyMs: 20 });
}

/** One redis-server process: its port, its temp dir and its arguments. */
class HarnessNode implements RedisNode {
  readonly url: string;
  private dir = '';

  constructor(
    readonly port: number,
    private readonly extraArgs: (dir: string) => string[],
  ) {
    this.url = `redis://${HOST}:${port}`;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), `redis-harness-${this.port}-`));
    const args = [
      '--port', String(this.port),
      '--bind', HOST,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'yes',
      '--dir', this.dir,
      '--pidfile', join(this.dir, 'redis.pid'),
      '--logfile', join(this.dir, 'redis.log'),
      ...this.extraArgs(this.dir),
    ]; // prettier-ignore
    const result = await run('redis-server', args);
    if (result.code !== 0) {
      throw new Error(
        `redis-server on port ${this.port} failed: ${result.stderr || result.stdout}`,
      );
    }
    try {
      await waitFor(`redis-server on port ${this.port}`, () => answers(this.port), 5_000);
    } catch (error) {
      const log = await readFile(join(this.dir, 'redis.log'), 'utf8').catch(() => '');
      await this.stop();
      throw new Error(`${(error as Error).message}\n${log.slice(-2000)}`);
    }
  }

  async stop(): Promise<void> {
    try {
      await cli(this.port, 'shutdown', 'nosave');
      await waitFor(`port ${this.port} to stop answering`, async () => !(await answers(this.port)));
    } finally {
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
      this.dir = '';
    }
  }
}

/** Starts a node on a fresh free port; retries with another port if it is taken meanwhile. */
async function launch(extraArgs: (dir: string) => string[]): Promise<HarnessNode> {
  await checkInstalled();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const node = new HarnessNode(await freePort(), extraArgs);
    try {
      await node.start();
      return node;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Starts a redis-server on a free port (own temp `--dir`, no persistence) and
 * resolves once it answers PING. Stop it with `node.stop()` in `afterAll`.
 * @throws Error naming how to install redis-server when it is missing.
 */
export async function startRedisNode(extraArgs: string[] = []): Promise<RedisNode> {
  return launch(() => extraArgs);
}

/**
 * Starts three cluster-enabled nodes, joins them as 3 masters with no
 * replicas, and resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const nodes: HarnessNode[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < 3; i++) {
      // The cluster bus port defaults to port + 10000, which can pass 65535 or
      // be taken: give it its own free port.
      const busPort = await freePort();
      nodes.push(
        await launch((dir) => [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, 'nodes.conf'),
          '--cluster-port', String(busPort),
          '--cluster-node-timeout', '5000',
        ]), // prettier-ignore
      );
    }
    const addresses = nodes.map((node) => `${HOST}:${node.port}`);
    const created = await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      60_000,
    );
    if (created.code !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    }
    for (const node of nodes) {
      await waitFor(
        `cluster_state:ok on port ${node.port}`,
        async () => (await cli(node.port, 'cluster', 'info')).stdout.includes('cluster_state:ok'),
        30_000,
      );
    }
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
  return { nodes: nodes.map((node) => ({ host: HOST, port: node.port })), stop: stopAll };
}
