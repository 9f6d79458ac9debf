import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { SessionRecord } from '../contract/session-record';
import type { SessionStore } from '../contract/session-store';
import { errorMessage, SessionStoreError } from '../contract/session-store.error';
import { STATE_HANDLE_PREFIX } from '../handles/state-handle.constants';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { sessionLimitReached } from './mcp-session.errors';

/** `protocolVersion` of an owner's quota record: never a session, never a state handle. */
const QUOTA_MARK = 'mcp-session-quota';
/** A quota record outlives its owner's last new session by a day. */
const QUOTA_TTL = 24 * 60 * 60_000;
/** How long a store count (for `total`) or a check of an owner's sessions is trusted, in ms. */
const RECHECK_MS = 1_000;

type Sessions = Record<string, number>;
type Updater = (id: string, change: (record: SessionRecord) => void) => Promise<unknown>;

/**
 * The `sessionLimits` of `initialize`: `total` against the store's `count()`
 * (asked at most once a second, plus this process's creations since), and
 * `perOwner` against a quota record per principal in the store (id under the
 * state-handle prefix, so the gate never serves it): the ids of the owner's
 * sessions with their last known expiry. At the cap, the listed sessions are
 * looked up (at most once a second per owner) and the ended ones dropped.
 * One owner's initializes are serialized in this process; across instances
 * the cap holds as far as the store's `update` (or `save`) is atomic. A
 * refusal is logged once until a session is admitted again.
 */
export class SessionCaps {
  private readonly logger = new Logger(SessionCaps.name);
  private counted?: { at: number; count: number };
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly checked = new Map<string, number>();
  private refusing = { owner: false, total: false };

  constructor(private readonly options: McpSessionOptions) {}

  /**
   * Runs `create` (which stores the new session) unless a cap is reached.
   * @throws McpSessionRejection: 429 (`perOwner`) or 503 (`total`), with `Retry-After`.
   */
  async admit(
    owner: string | undefined,
    create: () => Promise<SessionRecord>,
  ): Promise<SessionRecord> {
    const limits = this.options.sessionLimits;
    if (limits === undefined) return create();
    if (limits.total !== undefined) await this.checkTotal(limits.total);
    if (limits.perOwner === undefined || owner === undefined) return this.created(await create());
    const key = quotaId(owner);
    const run = (this.queues.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.ownerAdmit(key, owner, limits.perOwner!, create));
    this.queues.set(key, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === run) this.queues.delete(key);
    }
  }

  private async checkTotal(total: number): Promise<void> {
    const now = Date.now();
    if (this.counted === undefined || now - this.counted.at >= RECHECK_MS) {
      this.counted = { at: now, count: await this.options.store.count!() };
    }
    if (this.counted.count >= total) throw this.refuse('total', `total (${total})`);
  }

  private async ownerAdmit(
    key: string,
    owner: string,
    cap: number,
    create: () => Promise<SessionRecord>,
  ) {
    const { store } = this.options;
    let sessions: Sessions =
      ((await store.load(key))?.data?.sessions as Sessions | undefined) ?? {};
    let ended: string[] = [];
    if (Object.keys(sessions).length >= cap) {
      if (Date.now() - (this.checked.get(key) ?? 0) < RECHECK_MS)
        throw this.refuse('owner', `perOwner (${cap})`);
      ({ sessions, ended } = await liveOnly(store, sessions));
      this.checked.set(key, Date.now());
      if (Object.keys(sessions).length >= cap) throw this.refuse('owner', `perOwner (${cap})`);
    }
    const record = await create();
    try {
      await upsertQuota(store, key, owner, (quota) => {
        const listed = { ...(quota.data?.sessions as Sessions | undefined) };
        for (const id of ended) delete listed[id];
        listed[record.id] = record.expiresAt.getTime();
        quota.data = { sessions: listed };
        quota.touch(QUOTA_TTL);
      });
    } catch (error) {
      // The session exists: it is the client's, even if its owner's count missed it.
      this.logger.warn(
        `Could not count a new session against its owner's limit: ${errorMessage(error)}`,
      );
    }
    this.checked.delete(key);
    return this.created(record);
  }

  private created(record: SessionRecord): SessionRecord {
    if (this.counted) this.counted.count++;
    this.refusing = { owner: false, total: false };
    return record;
  }

  private refuse(scope: 'owner' | 'total', what: string) {
    if (!this.refusing[scope]) {
      this.refusing[scope] = true;
      this.logger.warn(
        `Session limit ${what} reached: new sessions get ${scope === 'owner' ? 429 : 503} ` +
          '(logged once until one is admitted again)',
      );
    }
    return sessionLimitReached(scope, this.options.sessionLimits!.retryAfter);
  }
}

/** The quota record id of `owner`: under the state-handle prefix, so the gate refuses it as a session. */
function quotaId(owner: string): string {
  return `${STATE_HANDLE_PREFIX}quota_${createHash('sha256').update(owner).digest('base64url')}`;
}

/** The listed sessions that still live (their expiry refreshed), and the ids of the others. */
async function liveOnly(
  store: SessionStore,
  listed: Sessions,
): Promise<{ sessions: Sessions; ended: string[] }> {
  const sessions: Sessions = {};
  const ended: string[] = [];
  await Promise.all(
    Object.keys(listed).map(async (id) => {
      const record = await store.load(id);
      if (record === undefined) ended.push(id);
      else sessions[id] = record.expiresAt.getTime();
    }),
  );
  return { sessions, ended };
}

/** Applies `change` to the quota record `id` (created when missing) with the store's `update`, else load and save. */
async function upsertQuota(
  store: SessionStore,
  id: string,
  owner: string,
  change: (record: SessionRecord) => void,
): Promise<void> {
  const update = (store as { update?: Updater }).update?.bind(store);
  for (let attempt = 0; ; attempt++) {
    const record = update ? await update(id, change) : await loadChangeSave(store, id, change);
    if (record !== undefined) return;
    const fresh = new SessionRecord(id, QUOTA_MARK, QUOTA_TTL);
    fresh.owner = owner;
    change(fresh);
    try {
      return await store.save(fresh);
    } catch (error) {
      // Created meanwhile by another instance: change that one instead.
      if (
        attempt >= 3 ||
        !(error instanceof SessionStoreError) ||
        (error.kind as string) !== 'conflict'
      )
        throw error;
    }
  }
}

async function loadChangeSave(
  store: SessionStore,
  id: string,
  change: (record: SessionRecord) => void,
): Promise<SessionRecord | undefined> {
  const record = await store.load(id);
  if (record === undefined) return undefined;
  change(record);
  await store.save(record);
  return record;
}
