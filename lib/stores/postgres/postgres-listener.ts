import type { PostgresListenClient } from './postgres-client';
import { quoteIdent } from './postgres-sql';

/** What a {@link PostgresListener} tells its owner. */
export interface PostgresListenerEvents {
  /** A notification's payload on the channel. */
  message(payload: string): void;
  /** `LISTEN` is confirmed on a new connection: notifications flow (again). */
  up(): void;
  /** The connection was lost (`error` says why, when known); a reconnection is scheduled. */
  down(error: Error | undefined): void;
}

/** Reconnect delay after `attempt` failures in a row: 100 ms more each time, at most 1 s. */
const backoff = (attempt: number): number => Math.min(attempt * 100, 1_000);

/**
 * One dedicated connection that `LISTEN`s on a channel, and keeps doing so:
 * when the connection breaks, or connecting or a heartbeat round trip fails or
 * takes longer than `heartbeatMs`, it is closed and a new one is opened with
 * backoff, for ever, until {@link PostgresListener.stop}.
 */
export class PostgresListener {
  private client?: PostgresListenClient;
  private heartbeat?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private attempt = 0;
  private stopped = false;
  private readonly listen: string;

  constructor(
    private readonly open: () => PostgresListenClient,
    private readonly channel: string,
    private readonly heartbeatMs: number,
    private readonly events: PostgresListenerEvents,
  ) {
    this.listen = `LISTEN ${quoteIdent(channel)}`;
  }

  /** Opens the first connection (in the background). */
  start(): void {
    void this.connect();
  }

  /** Closes the connection and stops reconnecting; resolves once closed (at most `heartbeatMs`). Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    if (client) await endWithin(client, this.heartbeatMs);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let client: PostgresListenClient;
    try {
      client = this.open();
    } catch (error) {
      this.events.down(error as Error);
      this.retry = setTimeout(() => void this.connect(), backoff(++this.attempt)).unref();
      return;
    }
    this.client = client;
    client.on('error', (error: Error) => this.drop(client, error));
    client.on('end', () => this.drop(client, undefined));
    client.on('notification', (message) => {
      if (this.client === client && message.channel === this.channel) {
        this.events.message(message.payload ?? '');
      }
    });
    try {
      await this.within(
        client.connect().then(() => client.query(this.listen)),
        'LISTEN',
      );
    } catch (error) {
      this.drop(client, error as Error);
      return;
    }
    if (this.client !== client) return;
    this.attempt = 0;
    this.heartbeat = setInterval(() => void this.beat(client), this.heartbeatMs).unref();
    this.events.up();
  }

  private async beat(client: PostgresListenClient): Promise<void> {
    try {
      await this.within(client.query('SELECT 1'), 'heartbeat');
    } catch (error) {
      this.drop(client, error as Error);
    }
  }

  /** `step`, failing when it takes longer than `heartbeatMs` (the timer is always cleared). */
  private async within(step: Promise<unknown>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      const error = new Error(`${what} not answered within ${this.heartbeatMs} ms`);
      timer = setTimeout(() => reject(error), this.heartbeatMs);
    });
    try {
      await Promise.race([step, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gives up on `client` (once) and schedules the next connection. */
  private drop(client: PostgresListenClient, error: Error | undefined): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    void endWithin(client, this.heartbeatMs);
    if (this.stopped) return;
    this.events.down(error);
    this.retry = setTimeout(() => void this.connect(), backoff(++this.attempt));
    this.retry.unref();
  }
}

/** Ends a client, waiting at most `ms` for it (a dead peer may never confirm). */
async function endWithin(client: PostgresListenClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
