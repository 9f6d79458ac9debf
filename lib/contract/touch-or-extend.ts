import type { SessionRecord } from './session-record';
import type { SessionStore } from './session-store';

async function loadAndExtend(
  store: SessionStore,
  id: string,
  ttlMs: number,
  loaded: SessionRecord | undefined,
): Promise<SessionRecord | undefined> {
  const record = loaded ?? (await store.load(id));
  if (record === undefined) return undefined;
  await store.save(record.touch(ttlMs));
  return record;
}

/**
 * Extends the live record `id` by `ttlMs`: `store.touch` when the store has
 * it, else a load, an extend and a save (two calls, not atomic: such a store
 * cannot promise that a touch never revives a session deleted in between).
 * `loaded` is the record the caller has just loaded, when it has: a store
 * without `touch` is then not asked for it again.
 * @returns the extended record, or `undefined` for an unknown or expired id.
 */
export function touchOrExtend(
  store: SessionStore,
  id: string,
  ttlMs: number,
  loaded?: SessionRecord,
): Promise<SessionRecord | undefined> {
  // Not async: on the per-request path, `store.touch`'s own promise is returned.
  return typeof store.touch === 'function'
    ? store.touch(id, ttlMs)
    : loadAndExtend(store, id, ttlMs, loaded);
}
