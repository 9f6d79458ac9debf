import type { SessionRecord } from '../../contract/session-record';
import type { SessionStore } from '../../contract/session-store';
import { SessionStoreError, shortId } from '../../contract/session-store.error';

/**
 * `store.touch`, or for a store without it a load, extend and save (two calls,
 * not atomic: such a store cannot promise that a touch never revives a
 * session deleted in between).
 */
export async function touchStore(
  store: SessionStore,
  id: string,
  ttlMs: number,
): Promise<SessionRecord | undefined> {
  if (typeof store.touch === 'function') return store.touch(id, ttlMs);
  const record = await store.load(id);
  if (record === undefined) return undefined;
  await store.save(record.touch(ttlMs));
  return record;
}

/**
 * Runs a backend call; a failure rejects with `SessionStoreError` (a store's
 * own `SessionStoreError` is kept, other errors become kind `backend`).
 */
export async function backendCall<T>(op: string, id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const about = id === '' ? '' : ` of ${shortId(id)}`;
    throw SessionStoreError.backend(`backend ${op}${about} failed`, error);
  }
}

type Closable = { onApplicationShutdown?(signal?: string): unknown };

/** Passes the Nest shutdown hook on to each part that has one, in order. */
export async function shutdownParts(parts: unknown[], signal?: string): Promise<void> {
  for (const part of parts as (Closable | undefined)[]) {
    await part?.onApplicationShutdown?.(signal);
  }
}
