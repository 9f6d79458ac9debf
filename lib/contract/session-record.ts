import { checkTtl } from './option-checks';

/** What a client said about itself in `initialize` (`clientInfo`). */
export interface SessionClientInfo {
  name: string;
  version: string;
  [key: string]: unknown;
}

/** The plain fields of a {@link SessionRecord}, as stores persist them. */
export interface SessionRecordFields {
  id: string;
  protocolVersion: string;
  clientInfo?: SessionClientInfo;
  clientCapabilities?: Record<string, unknown>;
  owner?: string;
  data?: Record<string, unknown>;
  createdAt: Date;
  lastAccessed: Date;
  expiresAt: Date;
  /** The stored revision; 1 when left out (records stored before revisions existed). */
  revision?: number;
}

/**
 * The persistent part of an MCP session: everything another instance needs to
 * serve it (the negotiated protocol version, what the client declared, the
 * principal it is bound to and the application's own data).
 *
 * Runtime state (transports, streams, pending requests) is never part of it.
 */
export class SessionRecord implements SessionRecordFields {
  /** Session id, as sent in the `mcp-session-id` header. */
  id: string;
  /** Protocol revision negotiated in `initialize`, e.g. `2025-11-25`. */
  protocolVersion: string;
  /** `clientInfo` from the client's `initialize` request. */
  clientInfo?: SessionClientInfo;
  /** `capabilities` from the client's `initialize` request. */
  clientCapabilities?: Record<string, unknown>;
  /** The principal the session is bound to; other principals never see it. */
  owner?: string;
  /** Application state; must be JSON-serializable to survive a shared store. */
  data?: Record<string, unknown>;
  createdAt: Date;
  lastAccessed: Date;
  expiresAt: Date;
  /**
   * Which write of the record this copy comes from: 0 for a record never
   * stored, 1 once created, one more with every `save` or `update` (a `touch`
   * leaves it). A `save` of this copy fails with kind `conflict` when the
   * store holds another revision (see `SessionStore.save`); on success it is
   * set to the new one.
   */
  revision: number;

  /**
   * A new record (revision 0, never stored) whose three times start now; it expires `ttlMs` from now.
   * @throws InvalidOptionError (a `RangeError`) when `ttlMs` is negative or not finite.
   */
  constructor(id: string, protocolVersion: string, ttlMs: number) {
    checkTtl(ttlMs);
    const now = Date.now();
    this.id = id;
    this.protocolVersion = protocolVersion;
    this.createdAt = new Date(now);
    this.lastAccessed = new Date(now);
    this.expiresAt = new Date(now + ttlMs);
    this.revision = 0;
  }

  /**
   * Builds a record from stored fields (times kept as they are). Optional
   * fields that are `undefined` are left off the instance; a missing
   * `revision` is 1.
   */
  static restore(fields: SessionRecordFields): SessionRecord {
    const record = Object.create(SessionRecord.prototype) as SessionRecord;
    record.id = fields.id;
    record.protocolVersion = fields.protocolVersion;
    if (fields.clientInfo !== undefined) record.clientInfo = fields.clientInfo;
    if (fields.clientCapabilities !== undefined)
      record.clientCapabilities = fields.clientCapabilities;
    if (fields.owner !== undefined) record.owner = fields.owner;
    if (fields.data !== undefined) record.data = fields.data;
    record.createdAt = fields.createdAt;
    record.lastAccessed = fields.lastAccessed;
    record.expiresAt = fields.expiresAt;
    record.revision = fields.revision ?? 1;
    return record;
  }

  /**
   * Marks the record used now and moves its expiry to now + `ttlMs`.
   * @throws InvalidOptionError (a `RangeError`) when `ttlMs` is negative or not finite.
   */
  touch(ttlMs: number): this {
    checkTtl(ttlMs);
    const now = Date.now();
    this.lastAccessed = new Date(now);
    this.expiresAt = new Date(now + ttlMs);
    return this;
  }

  /** True once `expiresAt` is not in the future. */
  isExpired(now: number = Date.now()): boolean {
    return this.expiresAt.getTime() <= now;
  }
}
