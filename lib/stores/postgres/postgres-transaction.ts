import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { failure } from './postgres-call';
import type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQuery,
  PostgresResult,
} from './postgres-client';

/** Runs one statement of a transaction; a failure rejects with kind `backend` (or `decode`). */
export type TransactionQuery = (query: PostgresQuery) => Promise<PostgresResult>;

const ignore = (): void => undefined;

/**
 * Runs `body` in one transaction (BEGIN … COMMIT) on a connection checked out
 * of `pool`, the whole bounded by `timeoutMs` from the call. When `body`
 * throws, the transaction is rolled back and its error rethrown as it is
 * (statements it ran reject with `SessionStoreError`; a caller's own error
 * stays the caller's). A timeout rejects with kind `backend`; the connection
 * is then discarded, which rolls back whatever was open. A call still
 * waiting for a connection when its time is up never starts.
 */
export async function pooledTransaction<T>(
  pool: PostgresPool,
  op: string,
  id: string,
  timeoutMs: number,
  body: (query: TransactionQuery) => Promise<T>,
): Promise<T> {
  let client: PostgresPoolClient | undefined;
  let over = false;
  let broken = false;
  const release = (discard: boolean): void => {
    const held = client;
    client = undefined;
    held?.removeListener('error', ignore);
    held?.release(discard ? new Error(`${op} transaction abandoned`) : undefined);
  };
  const query: TransactionQuery = (q) =>
    client!.query(q).catch((error: unknown) => {
      broken ||= typeof (error as { severity?: unknown })?.severity !== 'string';
      throw failure(op, id, error);
    });
  const work = (async () => {
    const checkedOut = await pool.connect().catch((error: unknown) => {
      throw failure(op, id, error);
    });
    if (over) {
      checkedOut.release();
      throw new SessionStoreError('backend', `${op} of session ${shortId(id)}: not started`);
    }
    client = checkedOut;
    // pg emits 'error' on a connection that breaks mid-query: without a listener it would crash.
    client.on('error', ignore);
    await query({ text: 'BEGIN' });
    let result: T;
    try {
      result = await body(query);
    } catch (error) {
      if (!broken && !over) await query({ text: 'ROLLBACK' }).catch(ignore);
      throw error;
    }
    await query({ text: 'COMMIT' });
    return result;
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      over = true;
      // Discarding the connection ends the transaction (the server rolls it back).
      release(true);
      const message = `${op} of session ${shortId(id)}: PostgreSQL did not answer within ${timeoutMs} ms (statementTimeout)`;
      reject(new SessionStoreError('backend', message));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    work.catch(ignore);
    if (!over) release(broken);
  }
}
