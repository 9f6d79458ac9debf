import { checkMilliseconds, invalidOption } from '../../contract/option-checks';
import type { RedisClusterClient, RedisInvalidationClient, RedisNodeClient } from './redis-client';

/** Options of `RedisSessionMessageBus`. */
export interface RedisSessionMessageBusOptions {
  /**
   * The channel every instance shares: broadcasts go to `<channel>`, messages
   * for one instance to `<channel>:<instanceId>`. Default `mcp:session-bus`.
   */
  channel?: string;
  /** How long a publish may wait for Redis before it counts as failed, in ms. Default 1000. */
  publishTimeout?: number;
}

const OWNER = 'RedisSessionMessageBus';

/**
 * Applies defaults and checks the options.
 * @throws InvalidOptionError naming the option when one is invalid.
 */
export function resolveSessionBusOptions(
  options: RedisSessionMessageBusOptions = {},
): Required<RedisSessionMessageBusOptions> {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption(OWNER, 'options', 'an object', options);
  }
  const { channel = 'mcp:session-bus', publishTimeout = 1_000 } = options;
  if (typeof channel !== 'string' || channel.length === 0) {
    throw invalidOption(OWNER, 'channel', 'a non-empty string', channel);
  }
  checkMilliseconds(publishTimeout, 'publishTimeout', { owner: OWNER });
  return { channel, publishTimeout };
}

/**
 * The bus's subscriber connection: it subscribes again itself on every
 * `ready` (so that `connected` means "subscribed"), always reconnects, and is
 * never read-only or lazy, whatever the user's client was configured with.
 */
export const BUS_SUBSCRIBER_OVERRIDES = {
  autoResubscribe: false,
  lazyConnect: false,
  enableOfflineQueue: true,
  readOnly: false,
  maxRetriesPerRequest: null,
  retryStrategy: (attempt: number): number => Math.min(attempt * 50, 1_000),
  connectionName: 'mcp-session-bus',
};

/** A publisher opened by `fromUrl`: a publish during an outage fails instead of queueing. */
export const BUS_PUBLISHER_OPTIONS = {
  maxRetriesPerRequest: 0,
  retryStrategy: BUS_SUBSCRIBER_OVERRIDES.retryStrategy,
  connectionName: 'mcp-session-bus-publisher',
};

/** `promise`, or a rejection once `ms` have passed without it settling. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Where the bus sends PUBLISH. On a cluster, always the same master (the
 * first by address): messages then travel one path to each subscriber's node
 * and keep their order, which a random node per message would not.
 */
export function publisherOf(client: RedisInvalidationClient): {
  publish(channel: string, message: string): Promise<number>;
} {
  if (!client.isCluster) return client;
  const address = (node: RedisNodeClient) => {
    const { host, port } = (node as unknown as { options: { host?: string; port?: number } })
      .options;
    return `${host}:${port}`;
  };
  const masters = [...(client as RedisClusterClient).nodes('master')];
  return masters.sort((x, y) => address(x).localeCompare(address(y)))[0] ?? client;
}
