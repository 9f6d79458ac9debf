import type { SessionInvalidationListener } from '../../interfaces/session-invalidation.interface';

/** What the caching store knows about one cached copy. */
export interface CacheEntry {
  /** Until when (epoch ms) the copy may be served without asking the backend. */
  trustUntil: number;
  /** The record's expiry (epoch ms) as the backend last confirmed it. */
  backendExpiresAt: number;
  /** The revision of the cached copy. */
  revision: number;
  /** Read since the last eviction pass: the entry gets a second chance. */
  used: boolean;
}

/**
 * The bookkeeping of `CachingSessionStore`, and its listener on the
 * invalidation channel: which cached copies are trusted and until when, their
 * recency (second-chance LRU), and which backend calls in flight raced an
 * invalidation, so that a read that started before a delete never puts the
 * deleted record back. A copy is trusted only while it has an entry here.
 */
export class CacheIndex implements SessionInvalidationListener {
  /** Trusted entries by session id, oldest first (a `Map` keeps insertion order). */
  private readonly entries = new Map<string, CacheEntry>();
  private flights = 0;
  private generation = 0;
  /** Backend calls that started before this generation may not fill the cache. */
  private floor = 0;
  /** Ids invalidated while calls were in flight, with the generation of that invalidation. */
  private readonly raced = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly cacheTtl: number,
    /** Called with each id no longer trusted (evicted, invalidated, expired): drop the cached copy. */
    private readonly onDrop: (id: string) => void,
  ) {}

  /**
   * The entry of `id`, if it has one. An invalidation zeroes its `trustUntil`,
   * so a caller holding it across an await sees that it is no longer trusted.
   */
  get(id: string): Readonly<CacheEntry> | undefined {
    return this.entries.get(id);
  }

  /** The entry of `id` when its copy is trusted at `now`; it is then marked used. */
  trusted(id: string, now: number): Readonly<CacheEntry> | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || now >= entry.trustUntil) return undefined;
    entry.used = true;
    return entry;
  }

  /** Marks the copy of `entry` served: it gets a second chance at the next eviction. */
  markUsed(entry: Readonly<CacheEntry>): void {
    (entry as CacheEntry).used = true;
  }

  /** Starts a backend call whose result may fill the cache. @returns its start generation. */
  begin(): number {
    this.flights++;
    return this.generation;
  }

  /** Ends a call started with {@link begin}. */
  finish(): void {
    if (--this.flights === 0) this.raced.clear();
  }

  /** True when nothing invalidated `id` since the call that started at `start`. */
  mayFill(id: string, start: number): boolean {
    return start >= this.floor && (this.raced.get(id) ?? -1) <= start;
  }

  /** Stops trusting (and drops) the copy of `id`, and keeps calls in flight from restoring it. */
  invalidate(id: string): void {
    this.generation++;
    if (this.flights > 0) {
      if (this.raced.size >= this.maxEntries) {
        // Too many to track one by one: no call in flight may fill.
        this.floor = this.generation;
        this.raced.clear();
      } else {
        this.raced.set(id, this.generation);
      }
    }
    const entry = this.entries.get(id);
    // A reader holding this entry across an await sees it is no longer trusted.
    if (entry !== undefined) entry.trustUntil = 0;
    this.entries.delete(id);
    this.onDrop(id);
  }

  /** Stops trusting (and drops) every copy, and keeps every call in flight from filling. */
  reset(): void {
    this.generation++;
    this.floor = this.generation;
    this.raced.clear();
    const dropped = [...this.entries];
    this.entries.clear();
    for (const [id, entry] of dropped) {
      entry.trustUntil = 0;
      this.onDrop(id);
    }
  }

  /**
   * True when a trusted copy of `id` is of a later revision than `revision`:
   * a read that started before that write must not replace it.
   */
  holdsNewer(id: string, revision: number, now: number): boolean {
    const entry = this.entries.get(id);
    return entry !== undefined && now < entry.trustUntil && entry.revision > revision;
  }

  /**
   * Trusts the copy of `id` (at `revision`) that the backend just confirmed
   * (it expires there at `expiresAt`), until `cacheTtl` from `now` or that
   * expiry, whichever comes first.
   */
  confirm(id: string, expiresAt: number, now: number, revision: number): void {
    const trustUntil = Math.min(now + this.cacheTtl, expiresAt);
    const entry = this.entries.get(id);
    if (entry !== undefined) {
      entry.trustUntil = trustUntil;
      entry.backendExpiresAt = expiresAt;
      entry.revision = revision;
      return;
    }
    this.entries.set(id, { trustUntil, backendExpiresAt: expiresAt, revision, used: false });
    if (this.entries.size > this.maxEntries) this.evict();
  }

  /** Drops the copies no longer trusted at `now`. */
  sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.trustUntil <= now) {
        this.entries.delete(id);
        this.onDrop(id);
      }
    }
  }

  private evict(): void {
    // Second chance: an entry read since the last pass moves to the back once.
    // Terminates: each pass clears the flag it skips on.
    while (this.entries.size > this.maxEntries) {
      const [id, entry] = this.entries.entries().next().value as [string, CacheEntry];
      this.entries.delete(id);
      if (entry.used) {
        entry.used = false;
        this.entries.set(id, entry);
      } else {
        entry.trustUntil = 0;
        this.onDrop(id);
      }
    }
  }
}
