/**
 * Key layout of the Redis store. Every id hashes to one of `buckets` index
 * buckets; a bucket's expiry index, its live count and all its records share the hash tag
 * `{b}`, so a record and its index entry always live in one cluster slot:
 *
 * - record: `${prefix}{${b}}:${id}`
 * - index:  `${prefix}{${b}}#expiry` (sorted set: member id, score expiresAt; values of versions 1 and 2)
 * - live count: `${prefix}{${b}}#live` (hash: slot end -> records of version 3 counted there)
 * - quarantine: `${prefix}{${b}}!${id}` (an unreadable record moved aside, for a day)
 *
 * The tag is decided by the first `{` of the key and the first `}` after it;
 * every kind of key is identical up to and including `{b}`, so they share a
 * slot whatever the prefix holds. After `}` a record key has `:`, an index
 * key `#` and a quarantine key `!`, and `b` is digits: ids (which are data,
 * never patterns) cannot reach another bucket, the index or outside the
 * prefix.
 */
export class RedisKeys {
  constructor(
    private readonly prefix: string,
    /** Number of index buckets; part of the layout, see the store options. */
    readonly buckets: number,
  ) {}

  /** The bucket of an id: FNV-1a over its UTF-16 code units, modulo `buckets`. */
  bucketOf(id: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) {
      hash ^= id.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % this.buckets;
  }

  /** The record key of an id. */
  record(id: string): string {
    return `${this.prefix}{${this.bucketOf(id)}}:${id}`;
  }

  /** The record key of an id and the expiry index of its bucket, hashing the id once. */
  recordAndIndex(id: string): [record: string, index: string] {
    const b = this.bucketOf(id);
    return [`${this.prefix}{${b}}:${id}`, this.index(b)];
  }

  /** The record key, the expiry index and the live count of an id's bucket. */
  recordIndexLive(id: string): [record: string, index: string, live: string] {
    const b = this.bucketOf(id);
    return [`${this.prefix}{${b}}:${id}`, this.index(b), this.live(b)];
  }

  /** The record key and the live count of an id's bucket. */
  recordAndLive(id: string): [record: string, live: string] {
    const b = this.bucketOf(id);
    return [`${this.prefix}{${b}}:${id}`, this.live(b)];
  }

  /** The record key, the expiry index, the quarantine key and the live count of an id. */
  recordIndexQuarantine(
    id: string,
  ): [record: string, index: string, quarantine: string, live: string] {
    const b = this.bucketOf(id);
    const tag = `${this.prefix}{${b}}`;
    return [`${tag}:${id}`, this.index(b), `${tag}!${id}`, this.live(b)];
  }

  /**
   * The keys of a compare-and-set write: record, index, quarantine, the
   * record's write lease (`{b}~id`: no record, quarantine or index key has a
   * `~` after the tag) and the live count.
   */
  writeKeys(
    id: string,
  ): [record: string, index: string, quarantine: string, lease: string, live: string] {
    const b = this.bucketOf(id);
    const tag = `${this.prefix}{${b}}`;
    return [`${tag}:${id}`, this.index(b), `${tag}!${id}`, `${tag}~${id}`, this.live(b)];
  }

  /** The write lease of record `id` (see {@link writeKeys}). */
  lease(id: string): string {
    return `${this.prefix}{${this.bucketOf(id)}}~${id}`;
  }

  /** The expiry index of the bucket that holds `id`. */
  indexOf(id: string): string {
    return this.index(this.bucketOf(id));
  }

  /** The live count (hash of slot end -> version 3 records) of bucket `b`. */
  live(b: number): string {
    return `${this.prefix}{${b}}#live`;
  }

  /** The expiry index of bucket `b`. */
  index(b: number): string {
    return `${this.prefix}{${b}}#expiry`;
  }
}
