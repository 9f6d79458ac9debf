import { invalidOption } from './option-checks';
import { errorMessage, SessionStoreError, shortId } from './session-store.error';

/** The default `maxRecordBytes` of every store of this library: 64 KiB. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

/**
 * `value` (default {@link DEFAULT_MAX_RECORD_BYTES}) when it is a usable
 * `maxRecordBytes`: an integer of at least 1024 bytes, or `Infinity` (no limit).
 * @throws InvalidOptionError naming the option of `owner` otherwise.
 */
export function checkMaxRecordBytes(
  value: unknown = DEFAULT_MAX_RECORD_BYTES,
  owner: string,
): number {
  if (value === Infinity || (Number.isInteger(value) && (value as number) >= 1024)) {
    return value as number;
  }
  throw invalidOption(owner, 'maxRecordBytes', 'an integer >= 1024 or Infinity', value);
}

/**
 * Checks the size of a record's encoded form (its UTF-8 bytes).
 * @throws SessionStoreError kind `encode` naming the limit when `encoded` is larger than `maxBytes`.
 */
export function checkRecordSize(id: string, encoded: string, maxBytes: number): void {
  // A UTF-16 code unit takes 1 to 3 UTF-8 bytes: most records need no count.
  if (encoded.length * 3 <= maxBytes) return;
  const bytes = encoded.length > maxBytes ? encoded.length : Buffer.byteLength(encoded);
  if (bytes <= maxBytes) return;
  const size = encoded.length > maxBytes ? `at least ${bytes}` : String(bytes);
  throw new SessionStoreError(
    'encode',
    `session ${shortId(id)}: the record takes ${size} bytes, more than maxRecordBytes (${maxBytes})`,
  );
}

/**
 * What a failed serialization of record `id` is: always kind `encode` (the
 * caller's data is at fault, never the store). `JSON.stringify` throws a
 * `RangeError` for data nested thousands of levels deep, a `TypeError` for
 * cycles and BigInts. A `SessionStoreError` is kept as it is.
 */
export function unencodable(id: string, error: unknown): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  const why =
    error instanceof RangeError
      ? 'is nested too deeply or too large for JSON'
      : 'is not JSON-serializable';
  return new SessionStoreError(
    'encode',
    `session ${shortId(id)}: the record ${why} (${errorMessage(error)})`,
    error,
  );
}
