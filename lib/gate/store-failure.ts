import { errorMessage, SessionStoreError, shortId } from '../contract/session-store.error';
import {
  type McpSessionRejection,
  recordRefused,
  SESSION_NOT_FOUND,
  STORE_UNAVAILABLE,
  SESSION_CONFLICT,
} from './mcp-session.errors';

/** The message of `error` with every occurrence of the session id `id` shortened. */
export function shortenedMessage(error: unknown, id: string | undefined): string {
  const message = errorMessage(error);
  return id === undefined ? message : message.split(id).join(shortId(id));
}

/**
 * The HTTP answer that tells the truth about a failed store call, by the
 * `SessionStoreError` kind:
 * - `encode` (the client's input cannot be stored, a record over
 *   `maxRecordBytes`): 400 with JSON-RPC -32602, the client's fault;
 * - `decode` (a stored value no one can read): 404, so that the client starts
 *   a new session;
 * - `conflict` (the record changed under a write, retries exhausted): 409;
 * - `backend`, or anything that is not a `SessionStoreError`: 503 with
 *   `Retry-After`.
 */
export function storeRejection(error: unknown, id?: string): McpSessionRejection {
  if (!(error instanceof SessionStoreError)) return STORE_UNAVAILABLE;
  // `kind` is widened to string: stores of this and later versions may name more kinds.
  switch (error.kind as string) {
    case 'encode':
      return recordRefused(shortenedMessage(error, id).replace(/^encode error: /, ''));
    case 'decode':
      return SESSION_NOT_FOUND;
    case 'conflict':
      return SESSION_CONFLICT;
    default:
      return STORE_UNAVAILABLE;
  }
}
