import { Logger } from '@nestjs/common';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import { loadIoredis } from './ioredis-loader';
import type { RedisConnectionOptions } from './redis-session.options';
import type { RedisClient } from './redis-client';

/** Reconnect for ever, at most one attempt per second. */
const retryStrategy = (attempt: number): number => Math.min(attempt * 100, 1000);

/**
 * Defaults for connections the store owns: commands wait for the first
 * connect, but during an outage they fail at the next failed reconnect
 * (`maxRetriesPerRequest: 0`) instead of queueing for ever, and a command
 * that was in flight when the connection dropped is not replayed later.
 * The store's `commandTimeout` bounds every call in any case.
 */
const OWNED_DEFAULTS = {
  enableOfflineQueue: true,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy,
};

/** Opens a single-node client from a URL, with the owned-connection defaults. */
export function connectUrl(url: string): RedisClient {
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError(
      `RedisSessionStore.fromUrl: url must be a non-empty string, got ${String(url)}`,
    );
  }
  const { Redis } = loadIoredis();
  return watch(new Redis(url, OWNED_DEFAULTS));
}

/** Opens a single-node or cluster client from connection options, with the owned-connection defaults. */
export function connectOptions(connection: RedisConnectionOptions): RedisClient {
  const { Cluster, Redis } = loadIoredis();
  if ('cluster' in connection && Array.isArray(connection.cluster)) {
    return watch(
      new Cluster(connection.cluster as ClusterNode[], {
        enableOfflineQueue: true,
        clusterRetryStrategy: retryStrategy,
        ...(connection.clusterOptions as ClusterOptions),
        redisOptions: { ...OWNED_DEFAULTS, ...connection.clusterOptions?.redisOptions },
      }),
    );
  }
  return watch(new Redis({ ...OWNED_DEFAULTS, ...(connection as RedisOptions) }));
}

/** Logs connection errors of an owned client once per outage (ioredis would print each one). */
function watch<T extends RedisClient>(client: T): T {
  const logger = new Logger('RedisSessionStore');
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.warn(`Redis connection error (retrying): ${error.message}`);
  });
  client.on('ready', () => {
    if (reported) logger.log('Redis connection ready again');
    reported = false;
  });
  return client;
}

/** Closes an owned client: QUIT when it answers in time, then disconnect; resolves once it has ended. */
export async function closeClient(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  await within(
    client.quit().catch(() => undefined),
    timeoutMs,
  );
  // Also stops a connect or reconnect in progress; 'end' follows asynchronously.
  client.disconnect();
  if ((client.status as string) !== 'end') await within(ended, timeoutMs);
}

/** Waits for `promise`, at most `ms`; the timer is always cleared. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
