import { SessionRecord } from '../../contract/session-record';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { checkRecordSize, unencodable } from '../../contract/record-size';

/**
 * Stored form of a record: one JSON object with short field names whose
 * first fields have a fixed layout, so that `touch` can rewrite the times in
 * place (SETRANGE) and the write scripts can read the revision, without any
 * JSON work in Redis. Format version 2:
 *
 * `{"v":2,"a":<lastAccessed>,"e":<expiresAt>,"r":<revision>,"c":<createdAt>,"p":"<protocolVersion>"[,"i":clientInfo][,"k":capabilities][,"o":"owner"][,"d":data]}`
 *
 * Version 1 is the same without `"r"`: its revision is 1. A record at
 * revision 1 (as `create` stores it) is written in version 1, which earlier
 * versions of the store read too; later revisions in version 2. `a` and `e`
 * are epoch milliseconds right-padded with spaces to 13 characters (valid
 * JSON whitespace). The id is the key, not part of the value.
 */
export const RECORD_HEAD = '{"v":2,"a":';
/** The head of a version 1 value: as long as {@link RECORD_HEAD}, same offsets. */
export const RECORD_HEAD_V1 = '{"v":1,"a":';
/** Offset of the fixed-width `a` field (the touch script's SETRANGE offset). */
export const TIMES_OFFSET = RECORD_HEAD.length;
/** Width of the space-padded `a` and `e` times. */
export const TIME_WIDTH = 13;
/** What separates the `a` time from the `e` time. */
export const E_LABEL = ',"e":';
/** What follows the `e` time in a version 2 value, before the revision's digits. */
export const R_LABEL = ',"r":';
/** Offset of {@link E_LABEL}, and of {@link R_LABEL} in a version 2 value. */
export const E_LABEL_AT = TIMES_OFFSET + TIME_WIDTH;
export const R_LABEL_AT = E_LABEL_AT + E_LABEL.length + TIME_WIDTH;
const MIN_TIME = -999_999_999_999;
const MAX_TIME = 9_999_999_999_999;
const FIELDS = new Set(['v', 'a', 'e', 'r', 'c', 'p', 'i', 'k', 'o', 'd']);

function time(id: string, field: string, date: Date): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (!Number.isInteger(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    throw new SessionStoreError('encode', `session ${shortId(id)}: ${field} is not a valid Date`);
  }
  return ms;
}

const pad = (ms: number): string => String(ms).padEnd(TIME_WIDTH, ' ');

/** The fixed-width `a`/`e` span that `touch` writes at {@link TIMES_OFFSET}. */
export function encodeTimes(lastAccessed: number, expiresAt: number): string {
  return `${pad(lastAccessed)}${E_LABEL}${pad(expiresAt)}`;
}

/** True when `raw` is in the fixed layout of version 1 or 2 (the touch script then extends it). */
export function hasTimesLayout(raw: string): boolean {
  return (
    (raw.startsWith(RECORD_HEAD) || raw.startsWith(RECORD_HEAD_V1)) &&
    raw.startsWith(E_LABEL, E_LABEL_AT)
  );
}

/**
 * Serializes a record at `revision` (format version 1 for revision 1, else 2).
 * @throws SessionStoreError kind `encode` for invalid dates, values JSON
 *   cannot hold, or a value of more than `maxBytes` bytes.
 */
export function encodeRecord(record: SessionRecord, revision: number, maxBytes: number): string {
  const a = time(record.id, 'lastAccessed', record.lastAccessed);
  const e = time(record.id, 'expiresAt', record.expiresAt);
  const c = time(record.id, 'createdAt', record.createdAt);
  const times = encodeTimes(a, e);
  let out =
    revision === 1
      ? `${RECORD_HEAD_V1}${times},"c":${c}`
      : `${RECORD_HEAD}${times}${R_LABEL}${revision},"c":${c}`;
  try {
    out += `,"p":${JSON.stringify(record.protocolVersion)}`;
    if (record.clientInfo !== undefined) out += `,"i":${JSON.stringify(record.clientInfo)}`;
    if (record.clientCapabilities !== undefined)
      out += `,"k":${JSON.stringify(record.clientCapabilities)}`;
    if (record.owner !== undefined) out += `,"o":${JSON.stringify(record.owner)}`;
    if (record.data !== undefined) out += `,"d":${JSON.stringify(record.data)}`;
  } catch (error) {
    throw unencodable(record.id, error);
  }
  out += '}';
  checkRecordSize(record.id, out, maxBytes);
  return out;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(id: string, why: string, cause?: unknown): never {
  throw new SessionStoreError('decode', `stored session ${shortId(id)}: ${why}`, cause);
}

function checkLayout(id: string, raw: string, parsed: Record<string, unknown>): number {
  const { v } = parsed;
  if (v !== 1 && v !== 2) fail(id, `unknown format version ${JSON.stringify(v) ?? 'none'}`);
  if (
    !raw.startsWith(v === 1 ? RECORD_HEAD_V1 : RECORD_HEAD) ||
    !raw.startsWith(E_LABEL, E_LABEL_AT)
  ) {
    fail(id, `value is not in the version ${v} layout`);
  }
  if (v === 1) {
    if ('r' in parsed) fail(id, 'unknown field "r" in a version 1 value');
    return 1;
  }
  // Written as plain digits right after "e": what the write scripts read.
  const { r } = parsed;
  if (
    !Number.isSafeInteger(r) ||
    (r as number) < 1 ||
    !raw.startsWith(`${R_LABEL}${r},`, R_LABEL_AT)
  ) {
    fail(id, 'field "r" (revision) is not a positive integer right after "e"');
  }
  return parsed.r as number;
}

/**
 * Reads a stored value (format version 1 or 2) back into a record: strict
 * about JSON, layout, format version, field names and types.
 * @throws SessionStoreError kind `decode` naming the id prefix ({@link shortId}).
 */
export function decodeRecord(id: string, raw: string): SessionRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    fail(id, 'value is not JSON', error);
  }
  if (!isObject(parsed)) fail(id, 'value is not a JSON object');
  const revision = checkLayout(id, raw, parsed);
  for (const key of Object.keys(parsed)) if (!FIELDS.has(key)) fail(id, `unknown field "${key}"`);
  for (const key of ['a', 'e', 'c'] as const) {
    if (!Number.isInteger(parsed[key])) fail(id, `field "${key}" is not an integer time`);
  }
  if (typeof parsed.p !== 'string') fail(id, 'field "p" (protocolVersion) is not a string');
  const { i, k, o, d } = parsed;
  if (
    i !== undefined &&
    !(isObject(i) && typeof i.name === 'string' && typeof i.version === 'string')
  ) {
    fail(id, 'field "i" (clientInfo) is not an object with string name and version');
  }
  if (k !== undefined && !isObject(k)) fail(id, 'field "k" (clientCapabilities) is not an object');
  if (o !== undefined && typeof o !== 'string') fail(id, 'field "o" (owner) is not a string');
  if (d !== undefined && !isObject(d)) fail(id, 'field "d" (data) is not an object');
  return SessionRecord.restore({
    id,
    protocolVersion: parsed.p as string,
    clientInfo: i as SessionRecord['clientInfo'],
    clientCapabilities: k as Record<string, unknown> | undefined,
    owner: o as string | undefined,
    data: d as Record<string, unknown> | undefined,
    createdAt: new Date(parsed.c as number),
    lastAccessed: new Date(parsed.a as number),
    expiresAt: new Date(parsed.e as number),
    revision,
  });
}
