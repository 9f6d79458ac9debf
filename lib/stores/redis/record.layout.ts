/*
 * The fixed layout of stored values (see record.codec.ts), shared by the
 * codec and the Lua scripts, which read and rewrite values by offset and
 * never decode JSON inside Redis. Every head is 11 characters long.
 *
 * - Version 1: `{"v":1,"a":<a>,"e":<e>,"c":...}` (revision 1)
 * - Version 2: `{"v":2,"a":<a>,"e":<e>,"r":<revision>,"c":...}`
 * - Version 3: `{"v":3,"t":<t>,"r":<revision>,"c":...}`: no times of access in
 *   the value; `expiresAt` is the key's own expiry (PEXPIRETIME) and
 *   `lastAccessed` is `expiresAt - t`, so the usual touch is one `GETEX PXAT`.
 *
 * `a`, `e` (epoch ms) and `t` (ms) are right-padded with spaces (valid JSON
 * whitespace) to a fixed width, so that a script can rewrite them in place.
 */

/** The head of a version 2 value. */
export const RECORD_HEAD = '{"v":2,"a":';
/** The head of a version 1 value: as long as {@link RECORD_HEAD}, same offsets. */
export const RECORD_HEAD_V1 = '{"v":1,"a":';
/** The head of a version 3 value: as long as {@link RECORD_HEAD}. */
export const RECORD_HEAD_V3 = '{"v":3,"t":';
/** Offset of the fixed-width `a` field of versions 1 and 2, and of `t` in version 3. */
export const TIMES_OFFSET = RECORD_HEAD.length;
/** Width of the space-padded `a` and `e` times. */
export const TIME_WIDTH = 13;
/** Width of the space-padded `t` of version 3 (a sign and 13 digits). */
export const T_WIDTH = 14;
/** What separates the `a` time from the `e` time. */
export const E_LABEL = ',"e":';
/** What precedes the revision's digits. */
export const R_LABEL = ',"r":';
/** Offset of {@link E_LABEL}, and of {@link R_LABEL} in a version 2 value. */
export const E_LABEL_AT = TIMES_OFFSET + TIME_WIDTH;
export const R_LABEL_AT = E_LABEL_AT + E_LABEL.length + TIME_WIDTH;
/** Offset of {@link R_LABEL} in a version 3 value. */
export const R_LABEL_AT_V3 = TIMES_OFFSET + T_WIDTH;
/** Largest `t` the version 3 layout holds; the least is `-(10^13 - 1)`. */
export const MAX_T = 99_999_999_999_999;

const pad = (value: number, width: number): string => String(value).padEnd(width, ' ');

/** The fixed-width `a`/`e` span that a version 1 or 2 touch writes at {@link TIMES_OFFSET}. */
export function encodeTimes(lastAccessed: number, expiresAt: number): string {
  return `${pad(lastAccessed, TIME_WIDTH)}${E_LABEL}${pad(expiresAt, TIME_WIDTH)}`;
}

/** The fixed-width `t` that a version 3 value holds at {@link TIMES_OFFSET}. */
export function encodeT(t: number): string {
  return pad(t, T_WIDTH);
}

/** True when `raw` is in the fixed layout of version 1 or 2 (the legacy touch script extends it). */
export function hasTimesLayout(raw: string): boolean {
  return (
    (raw.startsWith(RECORD_HEAD) || raw.startsWith(RECORD_HEAD_V1)) &&
    raw.startsWith(E_LABEL, E_LABEL_AT)
  );
}

/** True when `raw` starts as a version 3 value does (head, then `r` after the `t` span). */
export function hasV3Layout(raw: string): boolean {
  return raw.startsWith(RECORD_HEAD_V3) && raw.startsWith(R_LABEL, R_LABEL_AT_V3);
}
