import { SessionRecord } from '../../contract/session-record';
import { errorMessage, SessionStoreError, shortId } from '../../contract/session-store.error';

/**
 * Stored form of a record, format version 1: one JSON object with short
 * field names whose first two fields have a fixed layout, so that `touch`
 * can rewrite the times in place (SETRANGE) without any JSON work in Redis:
 *
 * `{"v":1,"a":<lastAccessed>,"e":<expiresAt>,"c":<createdAt>,"p":"<protocolVersion>"[,"i":clientInfo][,"k":capabilities][,"o":"owner"][,"d":data]}`
 *
 * `a` and `e` are epoch milliseconds right-padded with spaces to 13
 * characters (valid JSON whitespace). The id is the key, not part of the value.
 */
export const RECORD_HEAD = '{"v":1,"a":';
/** Offset of the fixed-width `a` field in a v1 value (the touch script's SETRANGE offset). */
export const TIMES_OFFSET = RECORD_HEAD.length;
/** Width of the space-padded `a` and `e` times. */
export const TIME_WIDTH = 13;
/** What separates the `a` time from the `e` time. */
export const E_LABEL = ',"e":';
const MIN_TIME = -999_999_999_999;
const MAX_TIME = 9_999_999_999_999;
const FIELDS = new Set(['v', 'a', 'e', 'c', 'p', 'i', 'k', 'o', 'd']);

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

/**
 * Serializes a record (format version 1).
 * @throws SessionStoreError kind `encode` for invalid dates or values JSON cannot hold.
 */
export function encodeRecord(record: SessionRecord): string {
  const a = time(record.id, 'lastAccessed', record.lastAccessed);
  const e = time(record.id, 'expiresAt', record.expiresAt);
  const c = time(record.id, 'createdAt', record.createdAt);
  try {
    let out = `${RECORD_HEAD}${encodeTimes(a, e)},"c":${c},"p":${JSON.stringify(record.protocolVersion)}`;
    if (record.clientInfo !== undefined) out += `,"i":${JSON.stringify(record.clientInfo)}`;
    if (record.clientCapabilities !== undefined)
      out += `,"k":${JSON.stringify(record.clientCapabilities)}`;
    if (record.owner !== undefined) out += `,"o":${JSON.stringify(record.owner)}`;
    if (record.data !== undefined) out += `,"d":${JSON.stringify(record.data)}`;
    return `${out}}`;
  } catch (error) {
    throw new SessionStoreError(
      'encode',
      `session ${shortId(record.id)} is not JSON-serializable: ${errorMessage(error)}`,
      error,
    );
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(id: string, why: string, cause?: unknown): never {
  throw new SessionStoreError('decode', `stored session ${shortId(id)}: ${why}`, cause);
}

/**
 * Reads a stored value back into a record: strict about JSON, layout, format
 * version, field names and types.
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
  if (parsed.v !== 1) fail(id, `unknown format version ${JSON.stringify(parsed.v) ?? 'none'}`);
  const layout = TIMES_OFFSET + TIME_WIDTH;
  if (!raw.startsWith(RECORD_HEAD) || !raw.startsWith(E_LABEL, layout)) {
    fail(id, 'value is not in the version 1 layout');
  }
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
  });
}
