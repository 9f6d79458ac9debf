import { Inject, Injectable, Logger } from '@nestjs/common';
import { isStateHandle, STATE_HANDLE_MARK } from '../handles/state-handle.constants';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import type { SessionRecord } from '../contract/session-record';
import { errorMessage, shortId } from '../contract/session-store.error';
import { touchOrExtend } from '../contract/touch-or-extend';
import { storeCall } from '../health/store-call';
import { storeOutage } from '../health/store-outage';
import {
  MALFORMED_SESSION_ID,
  McpSessionRejection,
  SESSION_NOT_FOUND,
  STORE_UNAVAILABLE,
} from './mcp-session.errors';
import { MCP_SESSION_RECORD, type McpSessionRequest } from './mcp-session.request';
import { ownerOf } from './owner';
import { SessionCaps } from './session-caps';
import { storeBreaker } from './store-breaker';
import { storeRejection } from './store-failure';

/** 1 to 255 visible ASCII characters (MCP transport spec: 0x21-0x7E). */
const VALID_SESSION_ID = /^[\x21-\x7E]{1,255}$/;

/**
 * The per-request session check that `McpSessionInterceptor` and
 * `McpSessionTransports` share: validates the header, extends the live
 * record in one store call, applies owner binding and attaches the record to
 * the request, so that whoever runs second reuses it instead of asking the
 * store again.
 */
@Injectable()
export class McpSessionGate {
  private readonly logger = new Logger(McpSessionGate.name);

  private readonly caps: SessionCaps;

  constructor(@Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions) {
    this.caps = new SessionCaps(options);
  }

  /** The breaker in front of the store (shared with the SDK integration's store calls). */
  private get breaker() {
    return storeBreaker(this.options.store, this.options.storeBreaker);
  }

  /**
   * The request's session id, or `undefined` when it has none.
   * @throws McpSessionRejection (400) when the header is malformed or repeated.
   */
  sessionId(request: McpSessionRequest): string | undefined {
    const id = request.headers['mcp-session-id'];
    if (id === undefined) return undefined;
    // Node joins a repeated header with ", ": the space fails the check too.
    if (typeof id !== 'string' || !VALID_SESSION_ID.test(id)) throw MALFORMED_SESSION_ID;
    return id;
  }

  /**
   * Extends the live session `id` and attaches it to the request.
   * @throws McpSessionRejection: 404 when the session is unknown, expired or
   * another owner's, or its stored value cannot be read; 503 with
   * `Retry-After` when the store fails or its breaker is open; 500 when
   * `resolveOwner` does not return a string or `undefined`.
   */
  async open(request: McpSessionRequest, id: string): Promise<SessionRecord> {
    const { store, ttl, resolveOwner } = this.options;
    // A state handle is never a session: refused before the store is asked.
    if (isStateHandle(id)) throw SESSION_NOT_FOUND;
    let record: SessionRecord | undefined;
    if (resolveOwner === undefined) {
      try {
        record = await this.breaker.run(() =>
          storeCall(store, 'touch', () => touchOrExtend(store, id, ttl), id),
        );
      } catch (error) {
        throw this.storeFailed(id, error);
      }
    } else {
      record = await this.ownTouch(request, id);
    }
    if (record === undefined || record.protocolVersion === STATE_HANDLE_MARK) {
      throw SESSION_NOT_FOUND;
    }
    request[MCP_SESSION_RECORD] = record;
    return record;
  }

  /**
   * Runs `create` (which stores a new session for `owner`) within the
   * `sessionLimits`.
   * @throws McpSessionRejection: 429 or 503 with `Retry-After` past a cap;
   * what `create` throws; the answer for a failed store call of the check.
   */
  async admit(
    owner: string | undefined,
    create: () => Promise<SessionRecord>,
  ): Promise<SessionRecord> {
    try {
      return await this.caps.admit(owner, create);
    } catch (error) {
      throw error instanceof McpSessionRejection ? error : this.storeFailed('', error);
    }
  }

  /** True when the request may use a session created by `owner`. */
  isOwner(request: McpSessionRequest, owner: string | undefined): boolean {
    const { resolveOwner } = this.options;
    return owner === undefined || resolveOwner === undefined
      ? true
      : ownerOf(resolveOwner, request) === owner;
  }

  /** Owner binding: load, check the owner, then extend. */
  private async ownTouch(
    request: McpSessionRequest,
    id: string,
  ): Promise<SessionRecord | undefined> {
    const { store, ttl } = this.options;
    let found: SessionRecord | undefined;
    try {
      found = await this.breaker.run(() => storeCall(store, 'load', () => store.load(id), id));
    } catch (error) {
      throw this.storeFailed(id, error);
    }
    // A foreign request must not even extend the session it is refused.
    if (found === undefined || !this.isOwner(request, found.owner)) return undefined;
    try {
      return await this.breaker.run(() =>
        storeCall(store, 'touch', () => touchOrExtend(store, id, ttl, found), id),
      );
    } catch (error) {
      throw this.storeFailed(id, error);
    }
  }

  /**
   * Gives the 503 answer for a failed store call: an unreachable store is
   * logged once per outage (`SessionStoreOutage`), anything else here, id
   * shortened.
   */
  private storeFailed(id: string, error: unknown): McpSessionRejection {
    const answer = storeRejection(error, id);
    if (answer !== STORE_UNAVAILABLE) {
      // Not an outage: one record, or the client's input (a decode error is a 404, a new session).
      this.logger.warn(
        `Session ${shortId(id)}: ${errorMessage(error).split(id).join(shortId(id))}; answered ${answer.status}`,
      );
      return answer;
    }
    if (storeOutage(this.options.store).refused(error, id)) return STORE_UNAVAILABLE;
    const message = errorMessage(error);
    const short = shortId(id);
    this.logger.error(
      `Session store failed for session ${short}: ${message.split(id).join(short)}`,
    );
    return STORE_UNAVAILABLE;
  }
}
