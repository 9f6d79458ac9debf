import { Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PostgresInvalidationChannel, PostgresSessionStore, SessionStoreError } from '../../lib';
import { startRedisNode, type RedisNode } from '../support/redis-harness';
import { eventually } from '../support/wait';
import { closedPort } from './health.apps';

const ROOT = join(__dirname, '..', '..');

interface Child {
  /** Resolves once the child printed READY. */
  ready: Promise<void>;
  /** Resolves with the child's stderr once it exited. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs open-connections.fixture.ts in a plain Node process. */
function openConnections(url: string, controlPort: number, mode: 'running' | 'wrong'): Child {
  const child = spawn(
    process.execPath,
    [
      '-r',
      './bench/register.js',
      'test/health/open-connections.fixture.ts',
      url,
      String(controlPort),
      mode,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('READY')) onReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { ready, done };
}

/** The "Unhandled error event" lines of `stderr` that name `port`. */
function unhandled(stderr: string, port: number): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes('Unhandled error event') && line.includes(`:${port}`));
}

/**
 * No connection the package opens may make ioredis print "Unhandled error
 * event" (a stack trace on every reconnection attempt). A bare ioredis
 * client in the same process, on another port, shows that the window saw
 * reconnection attempts that would have printed.
 */
describe('Redis connections the package opens', () => {
  it('print no "Unhandled error event" with a wrong REDIS_URL (nothing listens)', async () => {
    const [ours, theirs] = [await closedPort(), await closedPort()];
    const { done } = openConnections(`redis://127.0.0.1:${ours}`, theirs, 'wrong');
    const { code, stdout, stderr } = await done;
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'READY\nDONE\n' });
    expect(unhandled(stderr, theirs).length).toBeGreaterThanOrEqual(4);
    expect(unhandled(stderr, ours)).toEqual([]);
  });

  describe('during an outage of a running Redis', () => {
    let ours: RedisNode;
    let theirs: RedisNode;
    beforeAll(async () => {
      [ours, theirs] = await Promise.all([startRedisNode(), startRedisNode()]);
    });
    afterAll(async () => {
      await Promise.all([ours.stop().catch(() => undefined), theirs.stop().catch(() => undefined)]);
    });

    it('print no "Unhandled error event"', async () => {
      const child = openConnections(ours.url, theirs.port, 'running');
      await child.ready;
      await Promise.all([ours.stop(), theirs.stop()]);
      const { code, stderr } = await child.done;
      expect(code).toBe(0);
      // The first reconnection follows the server's close, not an error.
      expect(unhandled(stderr, theirs.port).length).toBeGreaterThanOrEqual(3);
      expect(unhandled(stderr, ours.port)).toEqual([]);
    });
  });
});

describe('PostgreSQL connections the package opens', () => {
  it('to a port nothing listens on: calls fail, nothing escapes or prints', async () => {
    Logger.overrideLogger(false);
    const printed = jest.spyOn(console, 'error');
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
    const store = PostgresSessionStore.fromUrl(url);
    const channel = PostgresInvalidationChannel.fromUrl(url);
    try {
      await expect(store.load('any-session-id')).rejects.toBeInstanceOf(SessionStoreError);
      await expect(store.count()).rejects.toBeInstanceOf(SessionStoreError);
      await eventually('the channel to have tried to listen', () => channel.connected === false);
      expect(printed.mock.calls).toEqual([]);
    } finally {
      printed.mockRestore();
      await Promise.all([store.onApplicationShutdown(), channel.onApplicationShutdown()]);
    }
  });
});
