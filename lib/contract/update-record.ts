import { invalidOption } from './option-checks';
import type { SessionRecord } from './session-record';
import type { SessionStore } from './session-store';
import { SessionStoreError, shortId } from './session-store.error';
import { conflictBackoff, UpdateQueue } from './update-queue';

export { UpdateQueue };

/**
 * A change for `SessionStore.update`: changes the copy of the live record it
 * is given, in place, synchronously. It may run more than once (again on a
 * fresh copy after a conflicting write), so it should depend on nothing but
 * the record; to abort, it throws (nothing is written, the error is the
 * update's). Changes to `id` and `revision` are ignored; a change may move the
 * times (`record.touch(ttl)`), or leave them.
 */
export type SessionRecordChange = (record: SessionRecord) => void;

/** Options of `SessionStore.update`. */
export interface SessionUpdateOptions {
  /**
   * How many times the change is applied again, to a fresh copy, when another
   * write came between the read and the write; then the update rejects with
   * kind `conflict`. Default {@link DEFAULT_UPDATE_RETRIES}.
   */
  retries?: number;
}

/** The default `retries` of an update. */
export const DEFAULT_UPDATE_RETRIES = 10;

/** How an optimistic write ended: written, lost to another write, or the record is gone. */
export type WriteOutcome = 'written' | 'conflict' | 'gone';

/**
 * A write lost to another write that also brought back the record as it is
 * stored now (a copy the caller owns), so that the next attempt needs no read.
 */
export interface ConflictWithCurrent {
  readonly current: SessionRecord;
}

/**
 * Applies `change` to `record` (a copy the caller owns); `id` and `revision`
 * are restored after it.
 * @throws whatever `change` throws; TypeError when it returns a promise.
 */
export function applyChange(record: SessionRecord, change: SessionRecordChange): void {
  const { id, revision } = record;
  const result = change(record) as unknown;
  record.id = id;
  record.revision = revision;
  if (typeof (result as { then?: unknown } | undefined)?.then === 'function') {
    throw new TypeError(
      'SessionStore.update: the change must be synchronous (it returned a promise)',
    );
  }
}

/**
 * The revision `record` was read at, as a `save` compares it: 0 for a record
 * never stored (and for anything that is not a positive integer).
 */
export function readRevision(record: SessionRecord): number {
  const { revision } = record;
  return Number.isSafeInteger(revision) && revision > 0 ? revision : 0;
}

/** The error of a `save` whose record is not the stored revision. */
export function saveConflict(id: string, revision: number): SessionStoreError {
  return new SessionStoreError(
    'conflict',
    `save of session ${shortId(id)} at revision ${revision}: the store holds another revision (written since this copy was read); load it again`,
  );
}

/** `options.retries`, checked. @throws InvalidOptionError when it is not an integer >= 0. */
export function retriesOf(options: SessionUpdateOptions | undefined): number {
  const retries = options?.retries ?? DEFAULT_UPDATE_RETRIES;
  if (!Number.isInteger(retries) || retries < 0) {
    throw invalidOption(undefined, 'retries', 'an integer >= 0', retries);
  }
  return retries;
}

/**
 * The optimistic update loop of a shared store: `read` the live record (a
 * copy), apply `change`, `write` it only if the stored revision is still the
 * one read; after a conflict, start again, at most `retries` more times. When
 * the first write lost and brought back the stored record
 * ({@link ConflictWithCurrent}), the second attempt applies the change to it
 * at once, with no read and no pause: it reaches the store before a writer
 * that still has to read, so a writer that lost once does not sit out the
 * other's whole burst. Otherwise it pauses briefly and reads again (`read`
 * gets the attempt's number: a store may take a write lease for later ones). Run it in the store's {@link UpdateQueue}, so that
 * only other processes can make it retry.
 * @returns the record as written, or `undefined` when it is unknown, deleted or expired.
 * @throws whatever `change` throws; SessionStoreError kind `conflict` when every attempt lost.
 */
export async function optimisticUpdate(
  id: string,
  change: SessionRecordChange,
  options: SessionUpdateOptions | undefined,
  read: (attempt: number) => Promise<SessionRecord | undefined>,
  write: (record: SessionRecord) => Promise<WriteOutcome | ConflictWithCurrent>,
): Promise<SessionRecord | undefined> {
  const retries = retriesOf(options);
  let current: SessionRecord | undefined;
  for (let attempt = 0; ; attempt++) {
    const record = current ?? (await read(attempt));
    current = undefined;
    if (record === undefined) return undefined;
    applyChange(record, change);
    const outcome = await write(record);
    if (outcome === 'written') return record;
    if (outcome === 'gone') return undefined;
    if (attempt >= retries) {
      const tries = `${retries + 1} attempt${retries === 0 ? '' : 's'}`;
      const message = `update of session ${shortId(id)}: ${tries} lost to concurrent writes`;
      throw new SessionStoreError('conflict', message);
    }
    // The first loss is retried at once on the record it brought back; later
    // ones pause (several writers retrying at once would only collide again).
    if (outcome !== 'conflict' && attempt === 0) current = outcome.current;
    else await conflictBackoff(attempt);
  }
}

/**
 * Applies `change` to the live record `id`: `store.update` when the store has
 * it (atomic), else a load, the change and a `save`, again from a fresh load
 * when the save conflicts (up to `retries` times; this process's updates of
 * one id wait for each other). Without `update`, it is
 * only as safe as the store's `save`: one that does not check revisions can
 * lose a concurrent write, or bring back a record deleted in between.
 * @returns the record as written, or `undefined` for an unknown, deleted or expired id.
 * @throws whatever `change` throws; SessionStoreError from the store (kind
 *   `conflict` when every attempt lost).
 */
export function updateRecord(
  store: SessionStore,
  id: string,
  change: SessionRecordChange,
  options?: SessionUpdateOptions,
): Promise<SessionRecord | undefined> {
  if (typeof store.update === 'function') return store.update(id, change, options);
  let queue = queues.get(store);
  if (queue === undefined) queues.set(store, (queue = new UpdateQueue()));
  return queue.run(id, () =>
    optimisticUpdate(
      id,
      change,
      options,
      () => store.load(id),
      (record) => saved(store, record),
    ),
  );
}

/** The updates of stores without `update`, one queue per store. */
const queues = new WeakMap<SessionStore, UpdateQueue>();

async function saved(store: SessionStore, record: SessionRecord): Promise<WriteOutcome> {
  try {
    await store.save(record);
    return 'written';
  } catch (error) {
    if (error instanceof SessionStoreError && error.kind === 'conflict') return 'conflict';
    throw error;
  }
}
