import type { LegacyTransport } from './sdk-loader';
import type { McpSessionServer } from '../interfaces/mcp-session-options.interface';
import type { SessionLink } from './session-link';

/** A 2025-era session's transport and server in this process. */
export interface LocalSession {
  /** The SDK transport. */
  transport: LegacyTransport;
  /** What the server is connected to: the link in front of `transport`. */
  link: SessionLink;
  server: McpSessionServer;
  /** The expiry last seen in the store (ms); the sweep asks the store only past it. */
  expiresAt: number;
  /** How many standalone GET streams of the client this process is serving. */
  streams: number;
  /** The state sync in progress (one at a time). */
  syncing?: Promise<void>;
  /** Requests of this process using the session now (from `attach` to `release`); never closed as idle while above 0. */
  busy?: number;
}

/**
 * The registry of this process's session transports by id, with at most one
 * build in flight per id. It knows no store and no factory: callers hand it
 * the build to run. It holds at most `max` sessions: past that, the least
 * recently used idle one (no request using it, no GET stream) is closed and
 * dropped, its record left in the store for its next request to rebuild it
 * (here or anywhere); while every other one is busy it holds more.
 */
export class LocalSessions {
  private readonly live = new Map<string, LocalSession>();
  private readonly building = new Map<string, Promise<LocalSession>>();
  private readonly closed = new WeakSet<LocalSession>();
  /** How many idle sessions were closed to stay within `max`. */
  evicted = 0;

  constructor(private readonly max = Infinity) {}

  /** How many sessions have a live transport here. */
  get size(): number {
    return this.live.size;
  }

  /** The live session `id`, if this process has one. */
  get(id: string): LocalSession | undefined {
    return this.live.get(id);
  }

  /** Registers `session` under `id` (its transport has just issued the id). */
  add(id: string, session: LocalSession): void {
    this.live.set(id, session);
    this.trim();
  }

  /** Drops `session` (once its transport has closed), unless `id` now names another one. */
  forget(id: string, session: LocalSession): void {
    if (this.live.get(id) === session) this.live.delete(id);
  }

  /**
   * The live session `id`, built by `build` when there is none; concurrent
   * callers for the same id share one build. A failed build registers
   * nothing.
   */
  async attach(
    id: string,
    expiresAt: number,
    build: () => Promise<LocalSession>,
  ): Promise<LocalSession> {
    let session = this.live.get(id);
    if (session === undefined) {
      let pending = this.building.get(id);
      if (pending === undefined) {
        pending = build().finally(() => this.building.delete(id));
        this.building.set(id, pending);
        session = await pending;
      } else {
        session = await pending;
      }
    }
    // Closed as idle while this caller waited for its build: build it again.
    if (this.closed.has(session)) return this.attach(id, expiresAt, build);
    // Most recently used last: the Map's order is the eviction order.
    this.live.delete(id);
    this.live.set(id, session);
    session.busy = (session.busy ?? 0) + 1;
    session.expiresAt = expiresAt;
    this.trim();
    return session;
  }

  /** Ends one use of `session` that `attach` began. */
  release(session: LocalSession): void {
    session.busy = Math.max(0, (session.busy ?? 1) - 1);
  }

  /** Closes least recently used idle sessions (never the newest) until at most `max` are live. */
  private trim(): void {
    if (this.live.size <= this.max) return;
    let excess = this.live.size - this.max;
    let left = this.live.size - 1;
    for (const [id, session] of this.live) {
      if (excess === 0 || left-- === 0) break;
      if ((session.busy ?? 0) > 0 || session.streams > 0) continue;
      this.live.delete(id);
      this.closed.add(session);
      this.evicted++;
      excess--;
      void session.server.close().catch(() => undefined);
    }
  }

  /**
   * Removes session `id` from the registry.
   * @returns it, for the caller to close, or `undefined` when there is none.
   */
  take(id: string): LocalSession | undefined {
    const session = this.live.get(id);
    if (session !== undefined) this.live.delete(id);
    return session;
  }

  /** The ids of sessions whose last known expiry is at or before `now`. */
  pastExpiry(now: number): string[] {
    const ids: string[] = [];
    for (const [id, session] of this.live) if (session.expiresAt <= now) ids.push(id);
    return ids;
  }

  /** The earliest last known expiry of a live session (ms), if any. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const session of this.live.values()) {
      if (next === undefined || session.expiresAt < next) next = session.expiresAt;
    }
    return next;
  }

  /** Every id with a live session. */
  ids(): string[] {
    return [...this.live.keys()];
  }
}
