import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../../contract/session-record';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import {
  type ConflictWithCurrent,
  readRevision,
  type WriteOutcome,
} from '../../contract/update-record';
import { decodeRecord, encodeRecord } from './record.codec';
import { slotOf } from './record.layout';
import { boundedOn } from './redis-call';
import type { RedisClient } from './redis-client';
import type { RedisKeys } from './redis-keys';
import { CREATE, CREATE_V3, runScript } from './redis-scripts';
import type { ResolvedRedisSessionStoreOptions } from './redis-session.options';
import * as W from './redis-write.scripts';
import { touchRecord } from './redis-touch';
import { conflictWith, writeScript } from './redis-writes';

/** How long an unreadable record is kept under its quarantine key: a day. */
export const QUARANTINE_TTL_MS = 24 * 60 * 60_000;

/** A value as read (a string), or `null` for a key of another type. */
export type Unreadable = string | null;

export const isDecode = (error: unknown): error is SessionStoreError =>
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
    const { maxRecordBytes, recordFormat } = this.options;
    const value = encodeRecord(record, 1, maxRecordBytes, recordFormat);
    const script = recordFormat === 3 ? CREATE_V3 : CREATE;
    const expiresAt = record.expiresAt.getTime();
    // An already expired record would be invisible at once: nothing to store.
    if (expiresAt <= Date.now()) return record;
    for (;;) {
      const id = record.id;
      const keys = this.keys.recordIndexLive(id);
      const args = [value, expiresAt, id];
      const stored = await this.write('create', id, script, keys, args, slotOf(expiresAt));
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
    const { maxRecordBytes, recordFormat } = this.options;
    const value = encodeRecord(record, revision + 1, maxRecordBytes, recordFormat);
    const keys = this.keys.writeKeys(id);
    const args = [value, record.expiresAt.getTime(), id, revision];
    const op = mode === 's' ? 'save' : 'update';
    const extra = [mode, QUARANTINE_TTL_MS, lease, slotOf(record.expiresAt.getTime())];
    const script = recordFormat === 3 ? W.WRITE_V3 : W.WRITE;
    const answer = await this.write(op, id, script, keys, args, ...extra);
    if (Array.isArray(answer)) return conflictWith(id, answer[1], answer[2]);
    const code = answer;
    if (code === W.WRITTEN_AFTER_QUARANTINE || code === W.GONE_AFTER_QUARANTINE) {
      this.movedAside(id, 'not in the layout of a format version, or not a string');
    }
    if (code === W.CONFLICT || code === W.LEASED) return 'conflict';
    if (code === W.GONE || code === W.GONE_AFTER_QUARANTINE) return 'gone';
    record.revision = revision + 1;
    return 'written';
  }

  /** Removes the record and its index entry. */
  async remove(id: string): Promise<void> {
    await this.write('delete', id, W.REMOVE, this.keys.recordIndexLive(id), [id]);
  }

  /**
   * GET and PEXPIRETIME, sent together (one round trip): a decoded live
   * record, or `undefined`; an unreadable one is moved aside first.
   */
  async read(id: string): Promise<SessionRecord | undefined> {
    const key = this.keys.record(id);
    for (let attempt = 0; ; attempt++) {
      let raw: string | null;
      let expiry: number;
      try {
        [raw, expiry] = await this.run('load', id, () =>
          Promise.all([this.client.get(key), this.client.pexpiretime(key)]),
        );
      } catch (error) {
        if (!isDecode(error)) throw error;
        if ((await this.quarantine(id, null, error)) || attempt === 2) return undefined;
        continue;
      }
      // -2: the key went between the two commands.
      if (raw === null || expiry === -2) return undefined;
      let record: SessionRecord;
      try {
        record = decodeRecord(id, raw, Number(expiry));
      } catch (error) {
        // Moved only if still the value read; otherwise read what replaced it.
        if ((await this.quarantine(id, raw, error)) || attempt === 2) return undefined;
        continue;
      }
      return record.isExpired() ? undefined : record;
    }
  }

  /** A touch: see `touchRecord` (redis-touch.ts). */
  touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    return touchRecord(this, id, ttlMs);
  }

  /** Runs one Redis call bounded by `commandTimeout`; any failure becomes kind `backend`. */
  run<T>(op: string, id: string | undefined, call: () => Promise<T>): Promise<T> {
    return boundedOn(this.client, op, id, this.options.commandTimeout, call);
  }

  /**
   * Moves the unreadable record `id` aside if it is still `raw` (`null`: a
   * key of another type), and logs it once. @returns true when moved.
   */
  async quarantine(id: string, raw: Unreadable, why: unknown): Promise<boolean> {
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
