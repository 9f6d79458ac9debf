/**
 * What went wrong in a store:
 * - `encode`: the record cannot be stored as it is (larger than the store's
 *   `maxRecordBytes`, not JSON-serializable, nested too deeply, an invalid
 *   Date). The caller's input is at fault: nothing was written, and trying
 *   again cannot help (an HTTP layer answers 400).
 * - `conflict`: another write came first. A `save` whose record is not the
 *   stored revision, or an `update` that lost the race on every attempt.
 *   Nothing was written; load and try again.
 * - `decode`: a stored value is not a record this version can read (the
 *   library's stores move such values aside instead: see their README).
 * - `backend`: the storage itself failed or did not answer in time.
 */
export type SessionStoreErrorKind = 'encode' | 'conflict' | 'decode' | 'backend';

/** The one error type every {@link SessionStore} rejects with. */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';

  constructor(
    /** Which part failed; see {@link SessionStoreErrorKind}. */
    readonly kind: SessionStoreErrorKind,
    message: string,
    /** The underlying error, when there is one. */
    override readonly cause?: unknown,
  ) {
    super(`${kind} error: ${message}`, cause === undefined ? undefined : { cause });
  }

  /** Wraps anything thrown by a backend, keeping a SessionStoreError as it is. */
  static backend(message: string, cause: unknown): SessionStoreError {
    if (cause instanceof SessionStoreError) return cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new SessionStoreError('backend', `${message}${detail}`, cause);
  }
}

/** The message of anything thrown: an `Error`'s `message`, anything else as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A session id shortened for logs and error messages: never log a whole id. */
export function shortId(id: string): string {
  return id.length <= 8 ? id : `${id.slice(0, 8)}…`;
}
