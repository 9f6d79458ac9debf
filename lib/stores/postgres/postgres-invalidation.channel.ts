import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type {
  SessionInvalidationChannel,
  SessionInvalidationListener,
} from '../../interfaces/session-invalidation.interface';
import { checkMilliseconds, invalidOption } from '../../contract/option-checks';
import { shortId } from '../../contract/session-store.error';
import { loadPg } from './pg-loader';
import { pooledQuery } from './postgres-call';
import type { PostgresListenClient, PostgresPool } from './postgres-client';
import { openPool } from './postgres-connection';
import { PostgresListener } from './postgres-listener';

/** Options of {@link PostgresInvalidationChannel}. */
export interface PostgresInvalidationChannelOptions {
  /** The `LISTEN`/`NOTIFY` channel every instance shares (at most 63 bytes). Default `mcp_session_invalidate`. */
  channel?: string;
  /** How long `publish` may wait for PostgreSQL before it rejects, in ms. Default 1000. */
  publishTimeout?: number;
  /**
   * How often the listening connection makes a round trip to prove it is
   * alive, in ms; one not answered within as long counts as lost. Default 5000.
   */
  heartbeatInterval?: number;
}

const ORIGIN_LENGTH = 16;
const NOTIFY = { text: 'SELECT pg_notify($1, $2)' };

const OWNER = 'PostgresInvalidationChannel';

/**
 * Applies defaults and checks every option.
 * @throws InvalidOptionError naming the option that is wrong.
 */
function check(options: PostgresInvalidationChannelOptions) {
  const { channel = 'mcp_session_invalidate', publishTimeout = 1_000 } = options;
  const { heartbeatInterval = 5_000 } = options;
  if (
    typeof channel !== 'string' ||
    !channel ||
    channel.includes('\0') ||
    Buffer.byteLength(channel) > 63
  ) {
    throw invalidOption(
      OWNER,
      'channel',
      'a non-empty name of at most 63 bytes, without NUL',
      channel,
    );
  }
  checkMilliseconds(publishTimeout, 'publishTimeout', { owner: OWNER });
  checkMilliseconds(heartbeatInterval, 'heartbeatInterval', { owner: OWNER });
  return { channel, publishTimeout, heartbeatInterval };
}

/**
 * A {@link SessionInvalidationChannel} over PostgreSQL `LISTEN`/`NOTIFY`, so
 * that `CachingSessionStore` over `PostgresSessionStore` stays coherent across
 * instances.
 *
 * Publishes through the given pool (`pg_notify`); receives on a dedicated
 * connection of its own, opened with the pool's settings (application name
 * `mcp-session-invalidation`), which reconnects with backoff and proves itself
 * alive every `heartbeatInterval`. `connected` is `true` only once `LISTEN` is
 * confirmed; after a reconnection, listeners get `reset()` (messages may have
 * been missed) before `connected` turns `true` again. On shutdown it closes
 * only what it opened (the listening connection always, the pool only when
 * built by {@link PostgresInvalidationChannel.fromUrl}).
 */
export class PostgresInvalidationChannel
  implements SessionInvalidationChannel, OnApplicationShutdown
{
  private readonly logger = new Logger(PostgresInvalidationChannel.name);
  private readonly listeners = new Set<SessionInvalidationListener>();
  /** Tags our own messages, which listeners already got in `publish`. */
  private readonly origin = randomBytes(ORIGIN_LENGTH / 2).toString('hex');
  private readonly settings: ReturnType<typeof check>;
  private readonly listener: PostgresListener;
  private ownsPool = false;
  private closing?: Promise<void>;
  private live = false;
  private errorLogged = false;

  /**
   * @param pool the user's node-postgres `Pool`, used to publish; the channel never ends it.
   * @throws InvalidOptionError naming the option when an option is invalid; TypeError when `pool` has no settings to open a connection with.
   */
  constructor(
    private readonly pool: PostgresPool,
    options: PostgresInvalidationChannelOptions = {},
  ) {
    this.settings = check(options);
    const settings = pool?.options;
    if (typeof settings !== 'object' || settings === null) {
      throw new TypeError(
        'PostgresInvalidationChannel: pool must be a pg Pool (it reads pool.options)',
      );
    }
    // The pool's own client class (pg's, or pg-native's); pg's when it has none.
    const Client =
      (pool as { Client?: new (config: object) => PostgresListenClient }).Client ?? loadPg().Client;
    const config = { ...settings, application_name: 'mcp-session-invalidation', keepAlive: true };
    const open = () => new Client(config);
    this.listener = new PostgresListener(
      open,
      this.settings.channel,
      this.settings.heartbeatInterval,
      {
        message: (payload) => this.receive(payload),
        up: () => {
          // Messages sent while we were away are lost: everything cached is suspect.
          for (const listener of this.listeners) this.tell(listener, () => listener.reset());
          if (this.errorLogged) this.logger.log('Invalidation listener connected again');
          this.errorLogged = false;
          this.live = true;
        },
        down: (error) => {
          this.live = false;
          if (this.errorLogged) return;
          this.errorLogged = true;
          const why = error ? `: ${error.message}` : '';
          this.logger.warn(
            `Invalidation listener lost its connection${why}; cached sessions are bypassed`,
          );
        },
      },
    );
    this.listener.start();
  }

  /** A channel with its own pool to `url` (publishing) and listening connection, both closed on application shutdown. */
  static fromUrl(
    url: string,
    options: PostgresInvalidationChannelOptions = {},
  ): PostgresInvalidationChannel {
    const { publishTimeout } = check(options);
    const pool = openPool(OWNER, url, publishTimeout, { max: 2 });
    const channel = new PostgresInvalidationChannel(pool, options);
    channel.ownsPool = true;
    return channel;
  }

  /** `true` while `LISTEN` is live and notifications are being received. */
  get connected(): boolean {
    return this.live;
  }

  subscribe(listener: SessionInvalidationListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async publish(id: string, from?: SessionInvalidationListener): Promise<void> {
    for (const listener of this.listeners) {
      if (listener !== from) this.tell(listener, () => listener.invalidate(id), id);
    }
    const query = { ...NOTIFY, values: [this.settings.channel, this.origin + id] };
    await pooledQuery(this.pool, 'invalidation', id, this.settings.publishTimeout, query);
  }

  /** Closes the listening connection (and the pool when this channel created it). Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    this.closing ??= (async () => {
      this.live = false;
      this.listeners.clear();
      await this.listener.stop();
      if (this.ownsPool) await this.pool.end().catch(() => undefined);
    })();
    return this.closing;
  }

  private receive(payload: string): void {
    if (payload.length < ORIGIN_LENGTH || payload.startsWith(this.origin)) return;
    const id = payload.slice(ORIGIN_LENGTH);
    for (const listener of this.listeners) this.tell(listener, () => listener.invalidate(id), id);
  }

  private tell(listener: SessionInvalidationListener, call: () => void, id?: string): void {
    try {
      call();
    } catch (error) {
      const about = id === undefined ? 'reset' : shortId(id);
      this.logger.error(`Invalidation listener failed for ${about}: ${(error as Error).message}`);
    }
  }
}
