import { randomUUID } from 'node:crypto';
import { SessionRecord, type SessionClientInfo } from '../../contract/session-record';
import { SessionStore } from '../../contract/session-store';
import { cloneValue } from '../../contract/clone';

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /**
   * How long one slice of `cleanupExpired` may hold the event loop, in ms,
   * before it yields to other work. Default 5.
   */
  sweepSliceMs?: number;
}

/** A record as the memory store keeps it: times as numbers, nothing shared. */
interface Entry {
  id: string;
  protocolVersion: string;
  clientInfo?: SessionClientInfo;
  clientCapabilities?: Record<string, unknown>;
  owner?: string;
  data?: Record<string, unknown>;
  createdAt: number;
  lastAccessed: number;
  expiresAt: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The default store: records in a `Map` of this process. Right for one
 * instance; use a shared store (Redis) to run several.
 *
 * Records are copied in and out: a loaded record can be changed freely and
 * the store only sees it on `save`. Expired records are invisible at once and
 * removed by `cleanupExpired`, which works in slices so that a million
 * sessions never freeze the event loop.
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sweepSliceMs: number;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.sweepSliceMs = options.sweepSliceMs ?? 5;
  }

  async create(record: SessionRecord): Promise<SessionRecord> {
    // Check and insert happen in one synchronous step: no other call can
    // claim the id in between.
    while (this.isLive(this.entries.get(record.id))) {
      record.id = randomUUID();
    }
    this.entries.set(record.id, toEntry(record));
    return record;
  }

  async save(record: SessionRecord): Promise<void> {
    this.entries.set(record.id, toEntry(record));
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

function toEntry(record: SessionRecord): Entry {
  const entry: Entry = {
    id: record.id,
    protocolVersion: record.protocolVersion,
    createdAt: record.createdAt.getTime(),
    lastAccessed: record.lastAccessed.getTime(),
    expiresAt: record.expiresAt.getTime(),
  };
  if (record.clientInfo !== undefined) entry.clientInfo = cloneValue(record.clientInfo);
  if (record.clientCapabilities !== undefined)
    entry.clientCapabilities = cloneValue(record.clientCapabilities);
  if (record.owner !== undefined) entry.owner = record.owner;
  if (record.data !== undefined) entry.data = cloneValue(record.data);
  return entry;
}

function toRecord(entry: Entry): SessionRecord {
  return SessionRecord.restore({
    id: entry.id,
    protocolVersion: entry.protocolVersion,
    clientInfo: cloneValue(entry.clientInfo),
    clientCapabilities: cloneValue(entry.clientCapabilities),
    owner: entry.owner,
    data: cloneValue(entry.data),
    createdAt: new Date(entry.createdAt),
    lastAccessed: new Date(entry.lastAccessed),
    expiresAt: new Date(entry.expiresAt),
  });
}
