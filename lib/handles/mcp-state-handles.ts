import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SessionRecord } from '../contract/session-record';
import { SessionStore } from '../contract/session-store';
import { updateRecord } from '../contract/update-record';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { type McpCaller, McpCallers } from '../sdk/mcp-callers';
import { STATE_HANDLE_MARK, STATE_HANDLE_PREFIX } from './state-handle.constants';

/** 192 random bits: the spec asks at least 128 for a handle usable without authentication. */
const HANDLE_BYTES = 24;

/** Aborts an update whose record is not the caller's handle (nothing is written). */
const NOT_YOURS = new Error("not the caller's handle");

/** The JSON data a handle holds. */
export type McpHandleData = Record<string, unknown>;

/**
 * Server-minted state handles (MCP 2026-07-28, SEP-2567): state that spans
 * calls of a sessionless client, passed by the client as an ordinary tool
 * argument. Each handle is crypto-random, bound to the principal that made
 * it, kept in the configured session store (so every instance sees it), and
 * expires `ttl` after it was created or last updated.
 *
 * Every method checks the caller: another principal's handle behaves exactly
 * like an unknown one. A handle is never accepted as a session id, nor a
 * session id as a handle. The caller is a tool's context (`ctx`, the
 * principal comes from `resolveOwner` of its request) or the principal
 * itself.
 */
@Injectable()
export class McpStateHandles {
  constructor(
    private readonly store: SessionStore,
    private readonly callers: McpCallers,
    @Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions,
  ) {}

  /**
   * Stores `data` under a new handle bound to the caller.
   * @param ttl how long it lives without updates, in ms; default the session ttl.
   * @returns the handle to give the client.
   */
  async create(caller: McpCaller, data: McpHandleData, ttl = this.options.ttl): Promise<string> {
    const handle = STATE_HANDLE_PREFIX + randomBytes(HANDLE_BYTES).toString('base64url');
    const record = new SessionRecord(handle, STATE_HANDLE_MARK, ttl);
    const owner = this.callers.principalOf(caller);
    if (owner !== undefined) record.owner = owner;
    record.data = data;
    return (await this.store.create(record)).id;
  }

  /** The data of `handle`, or `undefined` when it is unknown, expired or another caller's. */
  async get(caller: McpCaller, handle: string): Promise<McpHandleData | undefined> {
    return (await this.find(caller, handle))?.data;
  }

  /**
   * Replaces the data of `handle` and extends its life by `ttl`.
   * @returns `false` when the handle is unknown, expired or another caller's.
   */
  async update(
    caller: McpCaller,
    handle: string,
    data: McpHandleData,
    ttl = this.options.ttl,
  ): Promise<boolean> {
    if ((await this.find(caller, handle)) === undefined) return false;
    const owner = this.callers.principalOf(caller);
    // Atomic in the store: the owner is checked again on the record being changed.
    const updated = await updateRecord(this.store, handle, (record) => {
      if (record.protocolVersion !== STATE_HANDLE_MARK || (record.owner ?? undefined) !== owner) {
        throw NOT_YOURS;
      }
      record.data = data;
      record.touch(ttl);
    }).catch((error: unknown) => {
      if (error === NOT_YOURS) return undefined;
      throw error;
    });
    return updated !== undefined;
  }

  /**
   * Deletes `handle`; idempotent.
   * @returns `false` when it was unknown, expired or another caller's (then nothing is deleted).
   */
  async delete(caller: McpCaller, handle: string): Promise<boolean> {
    if ((await this.find(caller, handle)) === undefined) return false;
    await this.store.delete(handle);
    return true;
  }

  private async find(caller: McpCaller, handle: string): Promise<SessionRecord | undefined> {
    if (typeof handle !== 'string' || !handle.startsWith(STATE_HANDLE_PREFIX)) return undefined;
    const record = await this.store.load(handle);
    if (record === undefined || record.protocolVersion !== STATE_HANDLE_MARK) return undefined;
    if (record.expiresAt.getTime() <= Date.now()) return undefined;
    const owner = this.callers.principalOf(caller);
    return (record.owner ?? undefined) === owner ? record : undefined;
  }
}
