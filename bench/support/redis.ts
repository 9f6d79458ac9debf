import { execFileSync } from 'node:child_process';
import Redis, { type ChainableCommander } from 'ioredis';
import type { CommandStat } from '../../test/support/redis-commandstats';
import { startRedisNode, type RedisNode } from '../../test/support/redis-harness';

const started = new Set<RedisNode>();

/**
 * Options of every RedisSessionStore the bench measures: a command timeout
 * long enough that a hiccup of a shared machine does not abort a run (the
 * timer is armed per call either way, so the cost measured is the same).
 */
export const BENCH_REDIS_OPTIONS = { commandTimeout: 10_000 };

/**
 * Starts a redis-server of the benchmark's own on a free port (the test
 * harness's helper: `--save ''`, no AOF, stopped by port).
 */
export async function benchRedis(): Promise<RedisNode> {
  const node = await startRedisNode();
  started.add(node);
  return node;
}

/** Stops one server started by {@link benchRedis}. */
export async function stopRedis(node: RedisNode): Promise<void> {
  started.delete(node);
  await node.stop();
}

/** Stops every server this run started (normal end). */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...started].map((node) => stopRedis(node)));
}

/** Last resort on Ctrl-C or a crash: shut every started server down by port. */
export function stopAllRedisSync(): void {
  for (const node of started) {
    try {
      execFileSync('redis-cli', ['-p', String(node.port), 'shutdown', 'nosave'], {
        stdio: 'ignore',
        timeout: 3000,
      });
    } catch {
      // already gone
    }
  }
  started.clear();
}

/** A plain ioredis client for a node. */
export function client(node: RedisNode, extra: Record<string, unknown> = {}): Redis {
  return new Redis(node.port, '127.0.0.1', { lazyConnect: false, ...extra });
}

/** Commands run between two `INFO commandstats` snapshots, leaving out INFO itself. */
export function commandsBetween(
  before: Map<string, CommandStat>,
  after: Map<string, CommandStat>,
): { total: number; byCommand: Record<string, number> } {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [name, { calls }] of after) {
    if (name === 'info') continue;
    const delta = calls - (before.get(name)?.calls ?? 0);
    if (delta > 0) {
      byCommand[name] = delta;
      total += delta;
    }
  }
  return { total, byCommand };
}

/** The version of the redis-server binary. */
export function redisVersion(): string {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=([\d.]+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}

/** The first key whose name contains `fragment` (SCAN, never KEYS). */
export async function findKey(redis: Redis, fragment: string): Promise<string | undefined> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${fragment}*`, 'COUNT', 1000);
    if (keys.length > 0) return keys[0];
    cursor = next;
  } while (cursor !== '0');
  return undefined;
}

/** Runs `count` commands through pipelines of 5000. */
export async function pipelined(
  redis: Redis,
  count: number,
  add: (pipeline: ChainableCommander, i: number) => void,
): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 5000); i++) add(pipeline, i);
    await pipeline.exec();
  }
}
