// The per-owner quota records of `sessionLimits.perOwner`: one record per
// principal in the session store, listing its sessions, changed atomically.
import { createHash } from 'node:crypto';
import { SessionRecord } from '../contract/session-record';
import type { SessionStore } from '../contract/session-store';
import { SessionStoreError } from '../contract/session-store.error';
import { STATE_HANDLE_PREFIX } from '../handles/state-handle.constants';

/** `protocolVersion` of an owner's quota record: never a session, never a state handle. */
const QUOTA_MARK = 'mcp-session-quota';
/** A quota record outlives its owner's last new session by a day. */
const QUOTA_TTL = 24 * 60 * 60_000;

/** The sessions an owner's quota record lists: id (or reserved place) -> last known expiry (ms). */
export type Sessions = Record<string, number>;
type Updater = (id: string, change: (record: SessionRecord) => void) => Promise<unknown>;

/** The quota record id of `owner`: under the state-handle prefix, so the gate refuses it as a session. */
export function quotaId(owner: string): string {
  return `${STATE_HANDLE_PREFIX}quota_${createHash('sha256').update(owner).digest('base64url')}`;
}

/** Marks a place reserved by a request still creating its session. */
export const PENDING = 'pending:';
/** How long a reserved place counts without its session, in ms. */
const PENDING_MS = 60_000;

/** The listed ids whose session has ended (places reserved less than a minute ago are kept). */
export async function endedOf(store: SessionStore, listed: Sessions): Promise<string[]> {
  const now = Date.now();
  const ended: string[] = [];
  await Promise.all(
    Object.entries(listed).map(async ([id, at]) => {
      if (id.startsWith(PENDING) ? at < now : (await store.load(id)) === undefined) ended.push(id);
    }),
  );
  return ended;
}

const FULL = new Error('quota full');

/** Takes `place` in the quota record unless `cap` places are taken (`ended` ones dropped first). */
export async function reserve(
  store: SessionStore,
  key: string,
  owner: string,
  cap: number,
  place: string,
  ended: string[],
): Promise<boolean> {
  try {
    await upsertQuota(store, key, owner, (quota) => {
      const listed = { ...(quota.data?.sessions as Sessions | undefined) };
      for (const id of ended) delete listed[id];
      if (Object.keys(listed).length >= cap) throw FULL;
      listed[place] = Date.now() + PENDING_MS;
      quota.data = { sessions: listed };
      quota.touch(QUOTA_TTL);
    });
    return true;
  } catch (error) {
    if (error === FULL) return false;
    throw error;
  }
}

/** Replaces `place` with the session's id, or frees it when there is no session. */
export function settle(
  store: SessionStore,
  key: string,
  owner: string,
  place: string,
  record?: SessionRecord,
): Promise<void> {
  return upsertQuota(store, key, owner, (quota) => {
    const listed = { ...(quota.data?.sessions as Sessions | undefined) };
    delete listed[place];
    if (record) listed[record.id] = record.expiresAt.getTime();
    quota.data = { sessions: listed };
    quota.touch(QUOTA_TTL);
  });
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
