import { asIoredisShape, type NodeRedisLike } from './node-redis.adapter';
import type { OnApplicationShutdown } from '@nestjs/common';
import type {
  McpEventMessage,
  McpEventStore,
  McpSdkEventStore,
} from '../../interfaces/session-event-store.interface';
import { loadIoredis } from './ioredis-loader';
import {
  EVENT_STORE_CONNECTION,
  type RedisEventStoreClient,
  type RedisEventStoreOptions,
  resolveEventStoreOptions,
} from './redis-event-store.options';

/** `<streamId>:<entry id>`: the SDK's stream id, then the Redis Streams entry id. */
function parseEventId(eventId: string): { streamId: string; entry: string } | undefined {
  const at = eventId.lastIndexOf(':');
  const entry = eventId.slice(at + 1);
  if (at <= 0 || !/^\d{1,20}-\d{1,20}$/.test(entry)) return undefined;
  return { streamId: eventId.slice(0, at), entry };
}

/**
 * An {@link McpEventStore} on Redis Streams (Redis >= 6.2, single node or
 * cluster), so that a client resumes an SSE stream of a 2025-era session with
 * `Last-Event-ID` on any instance and gets every event it missed, in order,
 * once. One stream key per session, `<keyPrefix>{<session id>}`: the hash tag
 * keeps each session's events in one cluster slot.
 *
 * Cost per event: `XADD ... MAXLEN <maxLength>` and `PEXPIRE <maxAge>` in
 * one round trip; a replay is one `XRANGE`. Bounded: at most `maxLength`
 * events per session, none replayed once older than `maxAge`, and the key
 * itself expires `maxAge` after its last event. Priming events (`{}`) get
 * ids but are never replayed. Every call fails after `commandTimeout`.
 *
 * Closes only what it opened: the connection of {@link RedisEventStore.fromUrl}
 * on application shutdown, never a client passed in.
 */
export class RedisEventStore implements McpEventStore, OnApplicationShutdown {
  private readonly options: Required<RedisEventStoreOptions>;
  private owns = false;

  /**
   * @param client the user's ioredis `Redis` or `Cluster`; never closed here.
   * @throws InvalidOptionError naming an option that cannot be used.
   */
  private readonly client: RedisEventStoreClient;

  constructor(client: RedisEventStoreClient | NodeRedisLike, options?: RedisEventStoreOptions) {
    this.client = asIoredisShape<RedisEventStoreClient>(client);
    this.options = resolveEventStoreOptions(options);
  }

  /**
   * A store over a connection of its own to the single node at `url`, closed
   * on application shutdown.
   * @throws Error when ioredis is not installed; InvalidOptionError for bad options.
   */
  static fromUrl(url: string, options?: RedisEventStoreOptions): RedisEventStore {
    resolveEventStoreOptions(options);
    const { Redis } = loadIoredis();
    const connection = new Redis(url, EVENT_STORE_CONNECTION);
    // Failed commands reject to the caller, who logs them.
    connection.on('error', () => undefined);
    const store = new RedisEventStore(connection as unknown as RedisEventStoreClient, options);
    store.owns = true;
    return store;
  }

  /** The stream key of session `sessionId`. */
  keyOf(sessionId: string): string {
    return `${this.options.keyPrefix}{${sessionId}}`;
  }

  forSession(sessionId: string): McpSdkEventStore {
    const key = this.keyOf(sessionId);
    return {
      storeEvent: (streamId, message) => this.store(key, streamId, message),
      getStreamIdForEventId: async (eventId) => parseEventId(eventId)?.streamId,
      replayEventsAfter: (lastEventId, { send }) => this.replay(key, lastEventId, send),
    };
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.timed(this.client.del(this.keyOf(sessionId)));
  }

  /** Closes the connection `fromUrl` opened. Idempotent. */
  async onApplicationShutdown(): Promise<void> {
    if (this.owns) this.client.disconnect();
    this.owns = false;
  }

  private async store(key: string, streamId: string, message: McpEventMessage): Promise<string> {
    const { maxLength, maxAge } = this.options;
    const json = JSON.stringify(message);
    // Both go out at once and run in order: one round trip.
    const [entry] = await this.timed(
      Promise.all([
        this.client.xadd(key, 'MAXLEN', maxLength, '*', 's', streamId, 'm', json),
        this.client.pexpire(key, maxAge),
      ]),
    );
    if (typeof entry !== 'string') throw new Error('RedisEventStore: XADD returned no id');
    return `${streamId}:${entry}`;
  }

  private async replay(
    key: string,
    lastEventId: string,
    send: (eventId: string, message: McpEventMessage) => Promise<void>,
  ): Promise<string> {
    const last = parseEventId(lastEventId);
    if (last === undefined) throw new Error('RedisEventStore: not an event id of this store');
    const entries = await this.timed(this.client.xrange(key, `(${last.entry}`, '+'));
    const oldest = Date.now() - this.options.maxAge;
    for (const [entry, fields] of entries) {
      const { s, m } = fieldsOf(fields);
      if (s !== last.streamId || m === undefined || m === '{}') continue;
      if (Number(entry.slice(0, entry.indexOf('-'))) <= oldest) continue;
      await send(`${s}:${entry}`, JSON.parse(m) as McpEventMessage);
    }
    return last.streamId;
  }

  private timed<T>(command: Promise<T>): Promise<T> {
    const { commandTimeout } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`RedisEventStore: no answer within ${commandTimeout} ms`)),
        commandTimeout,
      );
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }
}

function fieldsOf(fields: string[]): { s?: string; m?: string } {
  const out: { s?: string; m?: string } = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 's') out.s = fields[i + 1];
    else if (fields[i] === 'm') out.m = fields[i + 1];
  }
  return out;
}
