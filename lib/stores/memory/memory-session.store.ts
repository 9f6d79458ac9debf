import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { checkMaxRecordBytes } from '../../contract/record-size';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import {
  applyChange,
  readRevision,
  retriesOf,
  saveConflict,
  type SessionRecordChange,
  type SessionUpdateOptions,
} from '../../contract/update-record';
import { type Entry, toEntry, toRecord } from './memory-entry';

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /**
   * How long one slice of `cleanupExpired` may hold the event loop, in ms,
   * before it yields to other work. Default 5.
   */
  sweepSliceMs?: number;
  /**
   * Largest record a write accepts, in bytes of its JSON fields (what a
   * shared store would store): a larger one is refused with kind `encode`.
   * An integer >= 1024, or `Infinity`. Default 65 536 (64 KiB).
   */
  maxRecordBytes?: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The default store: records in a `Map` of this process. Right for one
 * instance; use a shared store (Redis) to run several.
 *
 * Records are copied in and out: a loaded record can be changed freely and
 * the store only sees it on `save`. Every check-and-write (`create`'s id
 * check, `save`'s revision check, `update`) happens in one synchronous step,
 * so no other call can come in between. Expired records are invisible at once
 * and removed by `cleanupExpired`, which works in slices so that a million
 * sessions never freeze the event loop.
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sweepSliceMs: number;
  private readonly maxRecordBytes: number;

  /** @throws InvalidOptionError naming the option when an option is invalid. */
  constructor(options: MemorySessionStoreOptions = {}) {
    this.sweepSliceMs = options.sweepSliceMs ?? 5;
    this.maxRecordBytes = checkMaxRecordBytes(options.maxRecordBytes, 'MemorySessionStore');
  }

  async create(record: SessionRecord): Promise<SessionRecord> {
    const entry = toEntry(record, 1, this.maxRecordBytes);
    while (this.isLive(this.entries.get(record.id))) {
      record.id = randomUUID();
    }
    entry.id = record.id;
    this.entries.set(record.id, entry);
    record.revision = 1;
    return record;
  }

  async save(record: SessionRecord): Promise<void> {
    const revision = readRevision(record);
    const entry = toEntry(record, revision + 1, this.maxRecordBytes);
    const stored = this.liveEntry(record.id);
    if (stored !== undefined && stored.revision !== revision) {
      throw saveConflict(record.id, revision);
    }
    this.entries.set(record.id, entry);
    record.revision = revision + 1;
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    const entry = this.liveEntry(id);
    return entry && toRecord(entry);
  }

  async delete(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const entry = this.liveEntry(id);
    if (!entry) return undefined;
    const now = Date.now();
    entry.lastAccessed = now;
    entry.expiresAt = now + ttlMs;
    return toRecord(entry);
  }

  /**
   * Applies `change` to a copy of the live record and stores it at the next
   * revision, all in one synchronous step: no other call of this store can
   * come in between, so no retries are needed (a change that itself writes
   * this record is the exception: it is then applied again to a fresh copy,
   * at most `options.retries` times).
   */
  async update(
    id: string,
    change: SessionRecordChange,
    options?: SessionUpdateOptions,
  ): Promise<SessionRecord | undefined> {
    const retries = retriesOf(options);
    for (let attempt = 0; ; attempt++) {
      const entry = this.liveEntry(id);
      if (!entry) return undefined;
      const record = toRecord(entry);
      applyChange(record, change);
      if (this.entries.get(id) !== entry) {
        if (attempt < retries) continue;
        throw new SessionStoreError(
          'conflict',
          `update of session ${shortId(id)}: its change kept writing the record`,
        );
      }
      this.entries.set(id, toEntry(record, entry.revision + 1, this.maxRecordBytes));
      record.revision = entry.revision + 1;
      return record;
    }
  }

  async count(): Promise<number> {
    const now = Date.now();
    let live = 0;
    for (const entry of this.entries.values()) if (entry.expiresAt > now) live++;
    return live;
  }

  /** True when the store holds no live record. */
  async isEmpty(): Promise<boolean> {
    const now = Date.now();
    for (const entry of this.entries.values()) if (entry.expiresAt > now) return false;
    return true;
  }

  async cleanupExpired(): Promise<number> {
    let removed = 0;
    let sliceStart = performance.now();
    let visited = 0;
    // Map iterators stay valid while entries are added or deleted, so the
    // sweep can yield between slices and pick up where it stopped.
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= Date.now()) {
        this.entries.delete(id);
        removed++;
      }
      if (++visited % 1024 === 0 && performance.now() - sliceStart >= this.sweepSliceMs) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
    return removed;
  }

  private liveEntry(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private isLive(entry: Entry | undefined): boolean {
    return entry !== undefined && entry.expiresAt > Date.now();
  }
}
