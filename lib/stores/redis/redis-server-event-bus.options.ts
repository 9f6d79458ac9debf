/** Options of `RedisServerEventBus`. */
export interface RedisServerEventBusOptions {
  /** The pub/sub channel every instance shares. Default `mcp:events`. */
  channel?: string;
}

/**
 * The part of an ioredis 5 client the bus uses: a `Redis` (single node) or a
 * `Cluster` fits as it is. Declared here so that the package's typings do not
 * need ioredis installed.
 */
export interface RedisServerEventBusClient {
  /** `true` for an ioredis `Cluster`. */
  readonly isCluster: boolean;
  /** The ioredis connection status (`ready` once connected). */
  readonly status: string;
  publish(channel: string, message: string): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect(): void;
}

/** The options with defaults applied. */
export type ResolvedServerEventBusOptions = Required<RedisServerEventBusOptions>;

/**
 * Applies defaults and checks the options.
 * @throws Error naming the option that cannot be used.
 */
export function checkServerEventBusOptions(
  options: RedisServerEventBusOptions | undefined,
): ResolvedServerEventBusOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`RedisServerEventBus: options must be an object, got ${String(options)}`);
  }
  const channel = options?.channel ?? 'mcp:events';
  if (typeof channel !== 'string' || channel.length === 0) {
    throw new TypeError(
      `RedisServerEventBus: option "channel" must be a non-empty string, got ${String(channel)}`,
    );
  }
  return { channel };
}

/**
 * Checks the url of `RedisServerEventBus.fromUrl`.
 * @throws TypeError unless it is a non-empty string.
 */
export function checkServerEventBusUrl(url: unknown): void {
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError(
      `RedisServerEventBus.fromUrl: url must be a non-empty string, got ${String(url)}`,
    );
  }
}

/**
 * The subscriber connection: it resubscribes itself on every `ready` (so that
 * `connected` means "subscribed"), always reconnects, and is never read-only
 * or lazy, whatever the user's client was configured with.
 */
export const SUBSCRIBER_OVERRIDES = {
  autoResubscribe: false,
  lazyConnect: false,
  enableOfflineQueue: true,
  readOnly: false,
  maxRetriesPerRequest: null,
  retryStrategy: (attempt: number): number => Math.min(attempt * 50, 1_000),
  connectionName: 'mcp-server-events',
};

/**
 * A publisher opened by `fromUrl`: during an outage a publish fails at the
 * next failed reconnect instead of waiting in the offline queue.
 */
export const PUBLISHER_OPTIONS = {
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy: SUBSCRIBER_OVERRIDES.retryStrategy,
  connectionName: 'mcp-server-events-publisher',
};
