import { randomUUID } from 'node:crypto';
import { SessionRecord } from '../../lib/contract/session-record';

/** The protocol revision the records carry. */
export const PROTOCOL_VERSION = '2025-11-25';

/**
 * A typical record: a random id, and the client info and capabilities that
 * the MCP SDK's client sends in `initialize`.
 */
export function typicalRecord(ttlMs: number, id: string = randomUUID()): SessionRecord {
  const record = new SessionRecord(id, PROTOCOL_VERSION, ttlMs);
  record.clientInfo = { name: 'claude-code', version: '2.0.14' };
  record.clientCapabilities = {
    roots: { listChanged: true },
    sampling: {},
    elicitation: {},
  };
  return record;
}

/** `count` fresh random ids. */
export function ids(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

const ID_HEAD = '5e55a0b1-7c1d-4e2f-8a9b-';

/**
 * The id of the `i`-th session of a population: UUID-shaped (36 characters)
 * and built afresh on each call, as a request's header value is. Looking a
 * session up by `sessionId(i)` costs what a request costs (a new string,
 * hashed once), not a cache miss on a stored id string.
 */
export function sessionId(i: number): string {
  return ID_HEAD + i.toString(16).padStart(12, '0');
}
