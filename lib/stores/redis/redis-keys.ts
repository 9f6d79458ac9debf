/**
 * Key layout of the Redis store. Every id hashes to one of `buckets` index
 * buckets; a bucket's expiry index and all its records share the hash tag
 * `{b}`, so a record and its index entry always live in one cluster slot:
 *
 * - record: `${prefix}{${b}}:${id}`
 * - index:  `${prefix}{${b}}#expiry` (sorted set: member id, score expiresAt)
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

  /** The record key, the expiry index and the quarantine key of an id, hashing the id once. */
  recordIndexQuarantine(id: string): [record: string, index: string, quarantine: string] {
    const b = this.bucketOf(id);
    return [`${this.prefix}{${b}}:${id}`, this.index(b), `${this.prefix}{${b}}!${id}`];
  }

  /** The expiry index of the bucket that holds `id`. */
  /**
   * The keys of a compare-and-set write: record, index, quarantine, and the
   * record's write lease (`{b}~id`: no record, quarantine or index key has a
   * `~` after the tag).
   */
  writeKeys(id: string): [record: string, index: string, quarantine: string, lease: string] {
    const b = this.bucketOf(id);
    const tag = `${this.prefix}{${b}}`;
    return [`${tag}:${id}`, this.index(b), `${tag}!${id}`, `${tag}~${id}`];
  }

  /** The write lease of record `id` (see {@link writeKeys}). */
  lease(id: string): string {
    return `${this.prefix}{${this.bucketOf(id)}}~${id}`;
  }

  indexOf(id: string): string {
    return this.index(this.bucketOf(id));
  }

  /** The expiry index of bucket `b`. */
  index(b: number): string {
    return `${this.prefix}{${b}}#expiry`;
  }
}
