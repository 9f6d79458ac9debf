/** The shortest pause between two expiry sweeps, in ms. */
const MIN_GAP = 500;
/** How long after a session's expiry its sweep runs (the store must have dropped it), in ms. */
const MARGIN = 20;
/** The longest delay `setTimeout` takes. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * When the transport sweep runs: every `interval` once this process holds
 * transports, and at the earliest expiry this process knows of a local
 * session, so that a session that expired (or ended on another instance
 * unnoticed) has its transport and streams closed here within a second.
 * Both timers are unref'd.
 */
export class SweepSchedule {
  private interval?: NodeJS.Timeout;
  private expiry?: NodeJS.Timeout;
  private expiryAt?: number;
  private stopped = false;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    private readonly every: number,
    /** The earliest last known expiry of a local session. */
    private readonly nextExpiry: () => number | undefined,
  ) {}

  /** Starts the interval sweep (once). */
  start(): void {
    if (this.interval !== undefined || this.stopped) return;
    this.interval = setInterval(() => void this.sweep(), this.every);
    this.interval.unref();
  }

  /** A local session expires at `at` (ms) unless extended: sweep then, unless armed earlier. */
  expiring(at: number): void {
    if (this.stopped || (this.expiryAt !== undefined && this.expiryAt <= at)) return;
    clearTimeout(this.expiry);
    this.expiryAt = at;
    const delay = Math.min(Math.max(at - Date.now(), 0) + MARGIN, MAX_DELAY);
    this.expiry = setTimeout(() => void this.fire(), delay);
    this.expiry.unref();
  }

  /** Stops both timers for good. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.interval);
    clearTimeout(this.expiry);
    this.interval = this.expiry = this.expiryAt = undefined;
  }

  private async fire(): Promise<void> {
    this.expiry = this.expiryAt = undefined;
    await this.sweep().catch(() => undefined);
    const next = this.nextExpiry();
    if (next !== undefined) this.expiring(Math.max(next, Date.now() + MIN_GAP));
  }
}
