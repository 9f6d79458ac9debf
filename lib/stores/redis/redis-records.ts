import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../../contract/session-record';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import {
  type ConflictWithCurrent,
  readRevision,
  type WriteOutcome,
} from '../../contract/update-record';
import {
  decodeRecord,
  encodeRecord,
  encodeTimes,
  hasTimesLayout,
  TIMES_OFFSET,
} from './record.codec';
import { boundedOn } from './redis-call';
import type { RedisClient } from './redis-client';
import type { RedisKeys } from './redis-keys';
import { CREATE, runScript, TOUCH } from './redis-scripts';
import type { ResolvedRedisSessionStoreOptions } from './redis-session.options';
import * as W from './redis-write.scripts';
import { conflictWith, writeScript } from './redis-writes';

/** How long an unreadable record is kept under its quarantine key: a day. */
export const QUARANTINE_TTL_MS = 24 * 60 * 60_000;

/** A value as read (a string), or `null` for a key of another type. */
type Unreadable = string | null;

const isDecode = (error: unknown): error is SessionStoreError =>
  error instanceof SessionStoreError && error.kind === 'decode';

/**
 * The record operations of `RedisSessionStore`: reads that move unreadable
 * records aside, compare-and-set writes, and writes that refuse to run after
 * their deadline. Every call is bounded by `commandTimeout`.
 */
export class RedisRecords {
  private readonly logger = new Logger('RedisSessionStore');

  constructor(
    readonly client: RedisClient,
    readonly keys: RedisKeys,
    readonly options: ResolvedRedisSessionStoreOptions,
  ) {}

  /** Stores a new record (SET NX) at revision 1; a taken id gets a fresh `randomUUID()`. */
  async create(record: SessionRecord): Promise<SessionRecord> {
    const value = encodeRecord(record, 1, this.options.maxRecordBytes);
    const expiresAt = record.expiresAt.getTime();
    // An already expired record would be invisible at once: nothing to store.
    if (expiresAt <= Date.now()) return record;
    for (;;) {
      const id = record.id;
      const keys = this.keys.recordAndIndex(id);
      const stored = await this.write('create', id, CREATE, keys, [value, expiresAt, id]);
      if (stored === W.WRITTEN) break;
      record.id = randomUUID();
    }
    record.revision = 1;
    return record;
  }

  /**
   * Writes `record` at its next revision if the stored one is the revision it
   * was read at and no other writer holds its write lease (`lease`: the
   * token of this writer's, released by the write): a save ('s') inserts
   * when nothing is stored, an update ('u') does not. On success
   * `record.revision` is the new revision. An update that loses to another
   * write gets the stored record back when it decodes and is live (else
   * plain `'conflict'`: the next attempt reads).
   */
  async put(
    record: SessionRecord,
    mode: 's' | 'u',
    lease = '',
  ): Promise<WriteOutcome | ConflictWithCurrent> {
    const { id } = record;
    const revision = readRevision(record);
    const value = encodeRecord(record, revision + 1, this.options.maxRecordBytes);
    const keys = this.keys.writeKeys(id);
    const args = [value, record.expiresAt.getTime(), id, revision];
    const op = mode === 's' ? 'save' : 'update';
    const extra = [mode, QUARANTINE_TTL_MS, lease];
    const answer = await this.write(op, id, W.WRITE, keys, args, ...extra);
    if (Array.isArray(answer)) return conflictWith(id, answer[1]);
    const code = answer;
    if (code === W.WRITTEN_AFTER_QUARANTINE || code === W.GONE_AFTER_QUARANTINE) {
      this.movedAside(id, 'not in the version 1 or 2 layout, or not a string');
    }
    if (code === W.CONFLICT || code === W.LEASED) return 'conflict';
    if (code === W.GONE || code === W.GONE_AFTER_QUARANTINE) return 'gone';
    record.revision = revision + 1;
    return 'written';
  }

  /** Removes the record and its index entry. */
  async remove(id: string): Promise<void> {
    await this.write('delete', id, W.REMOVE, this.keys.recordAndIndex(id), [id]);
  }

  /** One GET: a decoded live record, or `undefined`; an unreadable one is moved aside first. */
  async read(id: string): Promise<SessionRecord | undefined> {
    for (let attempt = 0; ; attempt++) {
      let raw: string | null;
      try {
        raw = await this.run('load', id, () => this.client.get(this.keys.record(id)));
      } catch (error) {
        if (!isDecode(error)) throw error;
        if ((await this.quarantine(id, null, error)) || attempt === 2) return undefined;
        continue;
      }
      if (raw === null) return undefined;
      let record: SessionRecord;
      try {
        record = decodeRecord(id, raw);
      } catch (error) {
        // Moved only if still the value read; otherwise read what replaced it.
        if ((await this.quarantine(id, raw, error)) || attempt === 2) return undefined;
        continue;
      }
      return record.isExpired() ? undefined : record;
    }
  }

  /** The touch script: extends a live record and returns it, or `undefined`. */
  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const now = Date.now();
    const expiresAt = now + Math.floor(ttlMs);
    const times = encodeTimes(now, expiresAt);
    let before: unknown;
    try {
      before = await this.run('touch', id, () =>
        runScript(this.client, TOUCH, this.keys.recordAndIndex(id), [times, id]),
      );
    } catch (error) {
      if (!isDecode(error)) throw error;
      return (await this.quarantine(id, null, error)) ? undefined : this.read(id);
    }
    if (before === null || before === undefined) return undefined;
    const raw = String(before);
    try {
      const record = decodeRecord(id, raw);
      record.lastAccessed = new Date(now);
      record.expiresAt = new Date(expiresAt);
      return record;
    } catch (error) {
      // The script rewrote the times of a value in the layout: that is what is stored now.
      const stored = hasTimesLayout(raw)
        ? raw.slice(0, TIMES_OFFSET) + times + raw.slice(TIMES_OFFSET + times.length)
        : raw;
      return (await this.quarantine(id, stored, error)) ? undefined : this.read(id);
    }
  }

  /** Runs one Redis call bounded by `commandTimeout`; any failure becomes kind `backend`. */
  run<T>(op: string, id: string | undefined, call: () => Promise<T>): Promise<T> {
    return boundedOn(this.client, op, id, this.options.commandTimeout, call);
  }

  /**
   * Moves the unreadable record `id` aside if it is still `raw` (`null`: a
   * key of another type), and logs it once. @returns true when moved.
   */
  private async quarantine(id: string, raw: Unreadable, why: unknown): Promise<boolean> {
    const keys = this.keys.recordIndexQuarantine(id);
    // U+FFFD: the stored bytes are not UTF-8 and the client's copy is lossy.
    const kind = raw === null ? 't' : raw.includes('\uFFFD') ? 'b' : 'v';
    const args = [raw ?? '', id, QUARANTINE_TTL_MS, kind];
    const moved = await this.run('quarantine', id, () =>
      runScript(this.client, W.QUARANTINE, keys, args),
    );
    if (moved !== 1) return false;
    this.movedAside(id, why instanceof Error ? why.message : String(why));
    return true;
  }

  private movedAside(id: string, why: string): void {
    this.logger.warn(
      `Session ${shortId(id)}: unreadable record (${why}) moved to its quarantine key for 24 h; the session is gone`,
    );
  }

  /** A write script with a deadline (see {@link writeScript}). */
  private write(
    op: string,
    id: string,
    lua: typeof CREATE,
    keys: string[],
    args: (string | number)[],
    ...extra: (string | number)[]
  ): Promise<number | unknown[]> {
    return writeScript(this, op, id, lua, keys, args, extra);
  }
}
