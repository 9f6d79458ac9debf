import { errorMessage, SessionStoreError, shortId } from '../../contract/session-store.error';
import { deadlinesOf } from './deadline-queue';

/** Calls that read a record's value: a key of another type there is a corrupt record. */
const READS = new Set(['load', 'touch']);

function describe(op: string, id: string | undefined): string {
  return id === undefined ? op : `${op} of session ${shortId(id)}`;
}

function failure(op: string, id: string | undefined, error: unknown): SessionStoreError {
  if (id !== undefined && READS.has(op) && errorMessage(error).startsWith('WRONGTYPE')) {
    const message = `stored session ${shortId(id)}: key holds a non-string value`;
    return new SessionStoreError('decode', message, error);
  }
  return SessionStoreError.backend(`${describe(op, id)} failed`, error);
}

/**
 * Runs one Redis call bounded by `timeoutMs` (the timer is always cleared).
 * A timeout or any failure rejects with `SessionStoreError` kind `backend`
 * naming the operation and the id prefix; WRONGTYPE on a read is kind
 * `decode` (a key of another type sits where a record should be).
 *
 * On the per-request path: one promise and no timer per call (the calls of
 * one timeout share a timer, see DeadlineQueue), and no string is built
 * unless the call fails.
 */
export function bounded<T>(
  op: string,
  id: string | undefined,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadlines = deadlinesOf(timeoutMs);
    const pending = deadlines.start(() => {
      const message = `${describe(op, id)}: Redis did not answer within ${timeoutMs} ms (commandTimeout)`;
      reject(new SessionStoreError('backend', message));
    });
    const fail = (error: unknown): void => {
      if (pending.settled) return;
      deadlines.settle(pending);
      reject(failure(op, id, error));
    };
    let answer: Promise<T>;
    try {
      answer = call();
    } catch (error) {
      fail(error);
      return;
    }
    answer.then((value) => {
      if (pending.settled) return;
      deadlines.settle(pending);
      resolve(value);
    }, fail);
  });
}

/** Connection states in which a command could only wait in an offline queue. */
const DOWN = new Set(['reconnecting', 'close', 'end']);

/**
 * Throws while `client` is between reconnect attempts (or closed): a command
 * sent now could only wait in its offline queue and run long after.
 */
export function checkConnected(client: { readonly status: string }): void {
  const { status } = client;
  if (DOWN.has(status)) throw new Error(`Redis connection is ${status}`);
}

/**
 * {@link bounded}, failing at once while `client` is between reconnect
 * attempts rather than queueing a command that its offline queue would replay
 * long after we gave up.
 */
export function boundedOn<T>(
  client: { readonly status: string },
  op: string,
  id: string | undefined,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  return bounded(op, id, timeoutMs, () => {
    checkConnected(client);
    return call();
  });
}

/** MULTI/EXEC resolves with per-command errors instead of rejecting: surface them. */
export function checkExec(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new SessionStoreError('backend', 'transaction was aborted');
  const failed = results.find(([error]) => error);
  if (failed) throw SessionStoreError.backend('transaction failed', failed[0]);
}
