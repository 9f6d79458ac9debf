/*
 * The fixed layout of stored values (see record.codec.ts), shared by the
 * codec and the Lua scripts, which read and rewrite values by offset and
 * never decode JSON inside Redis. Every head is 11 characters long.
 *
 * - Version 1: `{"v":1,"a":<a>,"e":<e>,"c":...}` (revision 1)
 * - Version 2: `{"v":2,"a":<a>,"e":<e>,"r":<revision>,"c":...}`
 * - Version 3: `{"v":3,"t":<t>,"s":<slot>,"r":<revision>,"c":...}`: no times
 *   of access in the value; `expiresAt` is the key's own expiry (PEXPIRETIME)
 *   and `lastAccessed` is `expiresAt - t`, so the usual touch is one `GETEX
 *   PXAT`. `s` is the live-count slot the record is counted in (see
 *   {@link SLOT_MS}).
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
/** What precedes the slot of a version 3 value. */
export const S_LABEL = ',"s":';
/** Offset of {@link S_LABEL} in a version 3 value. */
export const S_LABEL_AT = TIMES_OFFSET + T_WIDTH;
/** Offset of the fixed-width slot (as wide as a time) in a version 3 value. */
export const S_AT = S_LABEL_AT + S_LABEL.length;
/** Offset of {@link R_LABEL} in a version 3 value. */
export const R_LABEL_AT_V3 = S_AT + TIME_WIDTH;
/**
 * Width of a live-count slot: five minutes. A version 3 record is counted (a
 * field of its bucket's `#live` hash) under the end of the slot its expiry
 * falls in: `count` sums the slots that have not ended, so it includes a
 * record from its creation until at most one slot after it expired. A touch
 * moves the record to a later slot only when its new expiry crosses into
 * one: a second call at most once a slot per session. Wider slots mean fewer
 * moves and a longer tail of expired records in `count`.
 */
export const SLOT_MS = 5 * 60_000;

/** The end of the live-count slot that `expiresAt` falls in. */
export const slotOf = (expiresAt: number): number => Math.ceil(expiresAt / SLOT_MS) * SLOT_MS;
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

/** The fixed-width slot that a version 3 value holds at {@link S_AT}. */
export function encodeSlot(slot: number): string {
  return pad(slot, TIME_WIDTH);
}

/** The slot a version 3 value is counted in (`raw` in the version 3 layout). */
export function slotIn(raw: string): number {
  return Number(raw.slice(S_AT, S_AT + TIME_WIDTH));
}

/** True when `raw` is in the fixed layout of version 1 or 2 (the legacy touch script extends it). */
export function hasTimesLayout(raw: string): boolean {
  return (
    (raw.startsWith(RECORD_HEAD) || raw.startsWith(RECORD_HEAD_V1)) &&
    raw.startsWith(E_LABEL, E_LABEL_AT)
  );
}

/** True when `raw` starts as a version 3 value does (head, `t`, `s`, then `r`). */
export function hasV3Layout(raw: string): boolean {
  return (
    raw.startsWith(RECORD_HEAD_V3) &&
    raw.startsWith(S_LABEL, S_LABEL_AT) &&
    raw.startsWith(R_LABEL, R_LABEL_AT_V3)
  );
}
