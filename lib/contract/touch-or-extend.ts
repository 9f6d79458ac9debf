import type { SessionRecord } from './session-record';
import type { SessionStore } from './session-store';
import { SessionStoreError } from './session-store.error';
import { updateRecord } from './update-record';

async function extendWithoutTouch(
  store: SessionStore,
  id: string,
  ttlMs: number,
  loaded: SessionRecord | undefined,
): Promise<SessionRecord | undefined> {
  if (loaded !== undefined && typeof store.update !== 'function') {
    // First with the record the caller has just read; from a fresh load when
    // another write came in between.
    try {
      await store.save(loaded.touch(ttlMs));
      return loaded;
    } catch (error) {
      if (!(error instanceof SessionStoreError && error.kind === 'conflict')) throw error;
    }
  }
  return updateRecord(store, id, (record) => void record.touch(ttlMs));
}

/**
 * Extends the live record `id` by `ttlMs`: `store.touch` when the store has
 * it, else an extending `update` (`updateRecord`: with a store without
 * `update` either, a load, an extend and a save, repeated on a conflict; such
 * a store cannot promise that a touch never revives a session deleted in
 * between unless its `save` checks revisions). `loaded` is the record the
 * caller has just loaded, when it has: a store without `touch` and `update`
 * is then not asked for it again.
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
    : extendWithoutTouch(store, id, ttlMs, loaded);
}
