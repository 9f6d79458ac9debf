import { checkMilliseconds, invalidOption } from '../../contract/option-checks';

/** Options of `RedisInvalidationChannel`. */
export interface RedisInvalidationChannelOptions {
  /** The pub/sub channel every instance shares. Default `mcp:session:invalidate`. */
  channel?: string;
  /** How long `publish` may wait for Redis before it rejects, in ms. Default 1000. */
  publishTimeout?: number;
}

const OWNER = 'RedisInvalidationChannel';

/**
 * Applies defaults and checks the options.
 * @throws InvalidOptionError naming the option when one is invalid.
 */
export function resolveInvalidationOptions(
  options: RedisInvalidationChannelOptions,
): Required<RedisInvalidationChannelOptions> {
  const { channel = 'mcp:session:invalidate', publishTimeout = 1_000 } = options;
  if (typeof channel !== 'string' || channel.length === 0) {
    throw invalidOption(OWNER, 'channel', 'a non-empty string', channel);
  }
  checkMilliseconds(publishTimeout, 'publishTimeout', { owner: OWNER });
  return { channel, publishTimeout };
}

/**
 * Connection settings of the channel's subscriber: it resubscribes itself (so
 * that `connected` means "subscribed"), always reconnects, and never goes
 * read-only or lazy.
 */
export const SUBSCRIBER_OVERRIDES = {
  autoResubscribe: false,
  lazyConnect: false,
  enableOfflineQueue: true,
  readOnly: false,
  maxRetriesPerRequest: null,
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
  connectionName: 'mcp-session-invalidation',
};
