import { SessionRecord, type SessionClientInfo } from '../../contract/session-record';
import { cloneValue } from '../../contract/clone';
import { checkRecordSize, unencodable } from '../../contract/record-size';

/** A record as the memory store keeps it: times as numbers, nothing shared. */
export interface Entry {
  id: string;
  protocolVersion: string;
  clientInfo?: SessionClientInfo;
  clientCapabilities?: Record<string, unknown>;
  owner?: string;
  data?: Record<string, unknown>;
  createdAt: number;
  lastAccessed: number;
  expiresAt: number;
  revision: number;
}

/**
 * A private copy of `record` at `revision`. Its fields are serialized once
 * (what a shared store would store), so that this store refuses what the
 * others refuse.
 * @throws SessionStoreError kind `encode` when the serialized fields take
 *   more than `maxBytes`, or JSON cannot hold them (cycles, BigInts, data
 *   nested thousands of levels deep).
 */
export function toEntry(record: SessionRecord, revision: number, maxBytes: number): Entry {
  const { id } = record;
  try {
    const { protocolVersion: p, clientInfo: i, clientCapabilities: k, owner: o, data: d } = record;
    checkRecordSize(id, JSON.stringify([p, i, k, o, d]) ?? '', maxBytes);
    const entry: Entry = {
      id,
      protocolVersion: p,
      createdAt: record.createdAt.getTime(),
      lastAccessed: record.lastAccessed.getTime(),
      expiresAt: record.expiresAt.getTime(),
      revision,
    };
    if (i !== undefined) entry.clientInfo = cloneValue(i);
    if (k !== undefined) entry.clientCapabilities = cloneValue(k);
    if (o !== undefined) entry.owner = o;
    if (d !== undefined) entry.data = cloneValue(d);
    return entry;
  } catch (error) {
    throw unencodable(id, error);
  }
}

/** A copy of `entry` as a record. */
export function toRecord(entry: Entry): SessionRecord {
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
    revision: entry.revision,
  });
}
