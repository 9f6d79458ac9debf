import { Logger } from '@nestjs/common';
import type { SessionStore } from '../contract/session-store';
import { errorMessage, SessionStoreError, shortId } from '../contract/session-store.error';

/**
 * How long after the last failure a store call must have started for its
 * success to end an outage: calls already in flight when the store failed,
 * and a store that answers only some calls (a cluster with a master down),
 * do not end it.
 */
export const RECOVERY_QUIET_MS = 1_000;

/** True when `error` means the store is unreachable or failing (not one bad record). */
export function isOutage(error: unknown): boolean {
  return !(error instanceof SessionStoreError) || error.kind === 'backend';
}

function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1_000)} s`;
}

/**
 * The outage log of one session store, shared by everything that calls it
 * (the gate, the SDK integration, the sweep, the health indicator): one
 * ERROR when the store becomes unreachable, one LOG when it answers again
 * (how long it was down, how many requests got 503), nothing per failing
 * call in between.
 */
export class SessionStoreOutage {
  private readonly logger = new Logger(SessionStoreOutage.name);
  /** When the outage began (`Date.now()`), or `undefined` while the store answers. */
  private since?: number;
  private lastFailure = 0;
  private refusals = 0;
  private last?: string;

  /** `true` between the first failure and the recovery. */
  get down(): boolean {
    return this.since !== undefined;
  }

  /** The message of the failure that began the current outage, `undefined` while the store answers. */
  get reason(): string | undefined {
    return this.since === undefined ? undefined : this.last;
  }

  /** A store call that started at `startedAt` (`Date.now()`) succeeded. */
  succeeded(startedAt: number): void {
    if (this.since === undefined || startedAt < this.lastFailure + RECOVERY_QUIET_MS) return;
    const refusals = this.refusals;
    this.logger.log(
      `Session store reachable again after ${duration(Date.now() - this.since)}; ` +
        `${refusals} request${refusals === 1 ? '' : 's'} got 503 meanwhile`,
    );
    this.since = undefined;
    this.refusals = 0;
  }

  /**
   * A store call failed with `error` (`id`: the session it was about,
   * shortened in the log). Logs the outage when it is the first failure.
   * @returns `true` when `error` is an outage, `false` for a failure the caller logs itself.
   */
  failed(error: unknown, id?: string): boolean {
    if (!isOutage(error)) return false;
    this.lastFailure = Date.now();
    if (this.since !== undefined) return true;
    this.since = this.lastFailure;
    let message = errorMessage(error);
    if (id !== undefined) {
      message = message.split(id).join(shortId(id));
      if (!message.includes(shortId(id))) message += ` (session ${shortId(id)})`;
    }
    this.last = message;
    this.logger.error(
      `Session store unreachable: ${message}; MCP requests get 503 until it answers again`,
    );
    return true;
  }

  /**
   * A request got 503 because a store call failed with `error`: counted for
   * the outage's recovery line.
   * @returns `true` when counted, `false` for a failure the caller logs itself.
   */
  refused(error: unknown, id?: string): boolean {
    if (!this.failed(error, id)) return false;
    this.refusals++;
    return true;
  }
}

const outages = new WeakMap<SessionStore, SessionStoreOutage>();

/** The outage log of `store` (one per store object in the process). */
export function storeOutage(store: SessionStore): SessionStoreOutage {
  let outage = outages.get(store);
  if (outage === undefined) outages.set(store, (outage = new SessionStoreOutage()));
  return outage;
}
