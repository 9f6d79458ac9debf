import { SessionStoreError, shortId } from '../../session-store.error';

/** Calls that read a record's value: a key of another type there is a corrupt record. */
const READS = new Set(['load', 'touch']);

/**
 * Runs one Redis call bounded by `timeoutMs` (the timer is always cleared).
 * A timeout or any failure rejects with `SessionStoreError` kind `backend`
 * naming the operation and the id prefix; WRONGTYPE on a read is kind
 * `decode` (a key of another type sits where a record should be).
 */
export async function bounded<T>(
  op: string,
  id: string | undefined,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  const what = id === undefined ? op : `${op} of session ${shortId(id)}`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const message = `${what}: Redis did not answer within ${timeoutMs} ms (commandTimeout)`;
      reject(new SessionStoreError('backend', message));
    }, timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(call), timeout]);
  } catch (error) {
    if (id !== undefined && READS.has(op) && /^WRONGTYPE/.test((error as Error)?.message)) {
      const message = `stored session ${shortId(id)}: key holds a non-string value`;
      throw new SessionStoreError('decode', message, error);
    }
    throw SessionStoreError.backend(`${what} failed`, error);
  } finally {
    clearTimeout(timer);
  }
}

/** MULTI/EXEC resolves with per-command errors instead of rejecting: surface them. */
export function checkExec(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new SessionStoreError('backend', 'transaction was aborted');
  const failed = results.find(([error]) => error);
  if (failed) throw SessionStoreError.backend('transaction failed', failed[0]);
}
