import { SessionRecord } from '../../contract/session-record';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { checkRecordSize, unencodable } from '../../contract/record-size';
import {
  E_LABEL,
  E_LABEL_AT,
  encodeSlot,
  encodeT,
  encodeTimes,
  MAX_T,
  R_LABEL,
  R_LABEL_AT,
  R_LABEL_AT_V3,
  RECORD_HEAD,
  RECORD_HEAD_V1,
  RECORD_HEAD_V3,
  S_LABEL,
  S_LABEL_AT,
  slotOf,
} from './record.layout';

/**
 * Stored form of a record: one JSON object with short field names, in the
 * fixed layout of record.layout.ts. The id is the key, not part of the value.
 *
 * Format 3 (the default): `{"v":3,"t":<expiresAt - lastAccessed>,"s":<live-count slot>,"r":<revision>,"c":<createdAt>,"p":"<protocolVersion>"[,"i":clientInfo][,"k":capabilities][,"o":"owner"][,"d":data]}`,
 * stored with the key expiry `expiresAt`, which the value does not repeat.
 *
 * Format 2: `{"v":2,"a":<lastAccessed>,"e":<expiresAt>,"r":<revision>,"c":...}`,
 * written at revision 1 as version 1 (the same without `"r"`), which earlier
 * versions of the store read too.
 */
export type RecordFormat = 2 | 3;

const MIN_TIME = -999_999_999_999;
const MAX_TIME = 9_999_999_999_999;
/** Field names of a version 1 or 2 value, and of a version 3 value (lookups without allocation). */
const FIELDS_V2: Readonly<Record<string, true>> = { v: true, a: true, e: true, r: true, c: true, p: true, i: true, k: true, o: true, d: true }; // prettier-ignore
const FIELDS_V3: Readonly<Record<string, true>> = { v: true, t: true, s: true, r: true, c: true, p: true, i: true, k: true, o: true, d: true }; // prettier-ignore

/** True when `raw` holds `,"r":<the digits of r>,` at `at` (read in place, nothing allocated). */
function revisionAt(raw: string, at: number, r: number): boolean {
  if (!raw.startsWith(R_LABEL, at)) return false;
  let i = at + R_LABEL.length;
  let n = 0;
  const first = i;
  for (let c = raw.charCodeAt(i); c >= 48 && c <= 57; c = raw.charCodeAt(++i)) n = n * 10 + c - 48;
  return i > first && raw.charCodeAt(first) !== 48 && raw.charCodeAt(i) === 44 && n === r;
}

function time(id: string, field: string, date: Date): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (!Number.isInteger(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    throw new SessionStoreError('encode', `session ${shortId(id)}: ${field} is not a valid Date`);
  }
  return ms;
}

/**
 * Serializes a record at `revision` in `format` (3: version 3; 2: version 1
 * at revision 1, else version 2).
 * @throws SessionStoreError kind `encode` for invalid dates, values JSON
 *   cannot hold, or a value of more than `maxBytes` bytes.
 */
export function encodeRecord(
  record: SessionRecord,
  revision: number,
  maxBytes: number,
  format: RecordFormat,
): string {
  const a = time(record.id, 'lastAccessed', record.lastAccessed);
  const e = time(record.id, 'expiresAt', record.expiresAt);
  const c = time(record.id, 'createdAt', record.createdAt);
  let out: string;
  if (format === 3) {
    const t = e - a;
    if (t > MAX_T || t < -MAX_T / 10) {
      throw new SessionStoreError(
        'encode',
        `session ${shortId(record.id)}: expiresAt is too far from lastAccessed`,
      );
    }
    out = `${RECORD_HEAD_V3}${encodeT(t)}${S_LABEL}${encodeSlot(slotOf(e))}${R_LABEL}${revision},"c":${c}`;
  } else {
    const times = encodeTimes(a, e);
    out =
      revision === 1
        ? `${RECORD_HEAD_V1}${times},"c":${c}`
        : `${RECORD_HEAD}${times}${R_LABEL}${revision},"c":${c}`;
  }
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

/** The revision of a value in its version's layout (1 for version 1). */
function checkLayout(id: string, raw: string, parsed: Record<string, unknown>): number {
  const { v, r } = parsed;
  if (v !== 1 && v !== 2 && v !== 3)
    fail(id, `unknown format version ${JSON.stringify(v) ?? 'none'}`);
  const inLayout =
    v === 3
      ? raw.startsWith(RECORD_HEAD_V3) && raw.startsWith(S_LABEL, S_LABEL_AT)
      : raw.startsWith(v === 1 ? RECORD_HEAD_V1 : RECORD_HEAD) &&
        raw.startsWith(E_LABEL, E_LABEL_AT);
  if (!inLayout) fail(id, `value is not in the version ${v} layout`);
  if (v === 1) {
    if ('r' in parsed) fail(id, 'unknown field "r" in a version 1 value');
    return 1;
  }
  // Written as plain digits at a fixed offset: what the write scripts read.
  const at = v === 3 ? R_LABEL_AT_V3 : R_LABEL_AT;
  if (!Number.isSafeInteger(r) || (r as number) < 1 || !revisionAt(raw, at, r as number)) {
    fail(id, `field "r" (revision) is not a positive integer right after "${v === 3 ? 't' : 'e'}"`);
  }
  return r as number;
}

/**
 * Reads a stored value (format version 1, 2 or 3) back into a record: strict
 * about JSON, layout, format version, field names and types. A version 3
 * value takes its `expiresAt` from `keyExpiry`, its key's PEXPIRETIME.
 * @throws SessionStoreError kind `decode` naming the id prefix ({@link shortId}).
 */
export function decodeRecord(id: string, raw: string, keyExpiry?: number): SessionRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    fail(id, 'value is not JSON', error);
  }
  if (!isObject(parsed)) fail(id, 'value is not a JSON object');
  const revision = checkLayout(id, raw, parsed);
  const v3 = parsed.v === 3;
  const fields = v3 ? FIELDS_V3 : FIELDS_V2;
  for (const key in parsed) if (fields[key] !== true) fail(id, `unknown field "${key}"`);
  for (const key of v3 ? (['t', 's', 'c'] as const) : (['a', 'e', 'c'] as const)) {
    if (!Number.isInteger(parsed[key])) fail(id, `field "${key}" is not an integer time`);
  }
  let e = parsed.e as number;
  let a = parsed.a as number;
  if (v3) {
    if (keyExpiry === undefined || !(keyExpiry > 0))
      fail(id, 'version 3 value without a key expiry');
    e = keyExpiry;
    a = keyExpiry - (parsed.t as number);
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
    lastAccessed: new Date(a),
    expiresAt: new Date(e),
    revision,
  });
}
