import { SessionStoreError, shortId } from '../../contract/session-store.error';
import type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQuery,
  PostgresResult,
} from './postgres-client';

/** SQLSTATEs that mean the table (or its schema) is not there yet. */
const MISSING = new Set(['42P01', '3F000']);

function describe(op: string, id: string | undefined): string {
  return id === undefined ? op : `${op} of session ${shortId(id)}`;
}

/** A failed statement as the error a store call rejects with (kind `backend`, a hint when the table is missing). */
export function failure(op: string, id: string | undefined, error: unknown): SessionStoreError {
  if (MISSING.has((error as { code?: string })?.code ?? '')) {
    const hint = `${describe(op, id)} failed: the sessions table is missing (run migrate() once)`;
    return SessionStoreError.backend(hint, error);
  }
  return SessionStoreError.backend(`${describe(op, id)} failed`, error);
}

/** An error the server answered with (pg's `DatabaseError`): the connection itself is fine. */
export const answeredByServer = (error: unknown): boolean =>
  typeof (error as { severity?: unknown })?.severity === 'string';

const ignore = (): void => undefined;

/**
 * Runs one query on a connection checked out of `pool`, bounded by
 * `timeoutMs` from the call (waiting for a free connection included; the
 * timer is always cleared). A timeout or any failure rejects with
 * `SessionStoreError` kind `backend` naming the operation and the id prefix.
 *
 * A query still waiting for a connection when the time is up is never sent
 * (it cannot run late, after the caller was told it failed); a connection
 * whose query timed out or broke is discarded, so that the pool replaces it.
 */
export function pooledQuery(
  pool: PostgresPool,
  op: string,
  id: string | undefined,
  timeoutMs: number,
  query: PostgresQuery,
): Promise<PostgresResult> {
  return new Promise<PostgresResult>((resolve, reject) => {
    let client: PostgresPoolClient | undefined;
    let done = false;
    const release = (error?: unknown): void => {
      if (client === undefined) return;
      const held = client;
      client = undefined;
      held.removeListener('error', ignore);
      held.release(error === undefined || answeredByServer(error) ? undefined : (error as Error));
    };
    const fail = (error: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      release(error ?? new Error('query failed'));
      reject(failure(op, id, error));
    };
    const timer = setTimeout(() => {
      done = true;
      release(new Error('statementTimeout reached'));
      const message = `${describe(op, id)}: PostgreSQL did not answer within ${timeoutMs} ms (statementTimeout)`;
      reject(new SessionStoreError('backend', message));
    }, timeoutMs);
    let checkout: Promise<PostgresPoolClient>;
    try {
      checkout = pool.connect();
    } catch (error) {
      fail(error);
      return;
    }
    checkout.then((checkedOut) => {
      if (done) {
        checkedOut.release();
        return;
      }
      client = checkedOut;
      // pg emits 'error' on a connection that breaks mid-query (the query
      // itself rejects too); without a listener that event would crash.
      checkedOut.on('error', ignore);
      let pending: Promise<PostgresResult>;
      try {
        pending = checkedOut.query(query);
      } catch (error) {
        fail(error);
        return;
      }
      pending.then((result) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        release();
        resolve(result);
      }, fail);
    }, fail);
  });
}
