import { SessionRecord } from '../../contract/session-record';
import { checkRecordSize, unencodable } from '../../contract/record-size';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import { FORMAT } from './postgres-sql';

/**
 * The `record` column, format version 1 (the row's `format`): a JSON object
 * with the fields that are not columns,
 * `{"protocolVersion":…[,"clientInfo":…][,"clientCapabilities":…][,"owner":…][,"data":…]}`.
 * The id, the revision and the three times are columns of their own. Stored as `text`, so
 * every value `JSON.stringify` produces (NUL characters and lone surrogates
 * arrive escaped) is stored as it is.
 */
const FIELDS = new Set(['protocolVersion', 'clientInfo', 'clientCapabilities', 'owner', 'data']);

/** PostgreSQL's earliest timestamptz (4713 BC), and the latest JavaScript Date. */
const MIN_TIME = -210_866_803_200_000;
const MAX_TIME = 8_640_000_000_000_000;

/** Ids PostgreSQL `text` cannot hold exactly: a NUL character, or a lone surrogate. */
const UNSTORABLE_ID = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `id` can be stored in a `text` column as it is (no row can hold any other id). */
export const storableId = (id: string): boolean => !UNSTORABLE_ID.test(id);

/** Epoch ms of a record's time field, checked. */
function timeOf(record: SessionRecord, field: 'createdAt' | 'lastAccessed' | 'expiresAt'): number {
  const date = record[field];
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (!Number.isInteger(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    throw new SessionStoreError(
      'encode',
      `session ${shortId(String(record.id))}: ${field} is not a valid Date`,
    );
  }
  return ms;
}

/** A row's values: id, createdAt, lastAccessed, expiresAt (epoch ms) and the `record` column. */
export type EncodedRow = [
  id: string,
  createdAt: number,
  lastAccessed: number,
  expiresAt: number,
  record: string,
];

/**
 * A record's row (format version 1).
 * @throws SessionStoreError kind `encode` for an id PostgreSQL cannot hold,
 *   invalid dates, values JSON cannot hold, or a `record` column larger than `maxBytes`.
 */
export function encodeRow(record: SessionRecord, maxBytes: number): EncodedRow {
  const times = [
    timeOf(record, 'createdAt'),
    timeOf(record, 'lastAccessed'),
    timeOf(record, 'expiresAt'),
  ] as const;
  const fields = encodeFields(record);
  checkRecordSize(record.id, fields, maxBytes);
  return [record.id, ...times, fields];
}

function encodeFields(record: SessionRecord): string {
  if (typeof record.id !== 'string' || !storableId(record.id)) {
    const why = 'contains a NUL character or a lone surrogate, which PostgreSQL text cannot hold';
    throw new SessionStoreError('encode', `session id ${shortId(String(record.id))} ${why}`);
  }
  const fields: Record<string, unknown> = { protocolVersion: record.protocolVersion };
  if (record.clientInfo !== undefined) fields.clientInfo = record.clientInfo;
  if (record.clientCapabilities !== undefined)
    fields.clientCapabilities = record.clientCapabilities;
  if (record.owner !== undefined) fields.owner = record.owner;
  if (record.data !== undefined) fields.data = record.data;
  try {
    return JSON.stringify(fields);
  } catch (error) {
    throw unencodable(record.id, error);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(id: string, why: string, cause?: unknown): never {
  throw new SessionStoreError('decode', `stored session ${shortId(id)}: ${why}`, cause);
}

function time(id: string, column: string, text: unknown): Date {
  const ms = typeof text === 'string' ? Number(text) : NaN;
  if (!Number.isInteger(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    fail(id, `column ${column} is not a valid time`);
  }
  return new Date(ms);
}

/**
 * Reads a row back into a record: strict about the format version, JSON,
 * field names and types. Times the caller already knows (a touch sets them)
 * may be passed as numbers instead of column text.
 * @throws SessionStoreError kind `decode` naming the id prefix ({@link shortId}).
 */
export function decodeRow(
  id: string,
  format: unknown,
  revision: unknown,
  raw: unknown,
  createdAt: unknown,
  lastAccessed: unknown,
  expiresAt: unknown,
): SessionRecord {
  if (format !== String(FORMAT)) fail(id, `unknown format version ${String(format)}`);
  const stored = typeof revision === 'string' ? Number(revision) : NaN;
  if (!Number.isSafeInteger(stored) || stored < 1) fail(id, 'column revision is not a revision');
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch (error) {
    fail(id, 'column record is not JSON', error);
  }
  if (!isObject(parsed)) fail(id, 'column record is not a JSON object');
  for (const key of Object.keys(parsed)) if (!FIELDS.has(key)) fail(id, `unknown field "${key}"`);
  const { protocolVersion, clientInfo: i, clientCapabilities: k, owner, data } = parsed;
  if (typeof protocolVersion !== 'string') fail(id, 'field "protocolVersion" is not a string');
  if (
    i !== undefined &&
    !(isObject(i) && typeof i.name === 'string' && typeof i.version === 'string')
  ) {
    fail(id, 'field "clientInfo" is not an object with string name and version');
  }
  if (k !== undefined && !isObject(k)) fail(id, 'field "clientCapabilities" is not an object');
  if (owner !== undefined && typeof owner !== 'string') fail(id, 'field "owner" is not a string');
  if (data !== undefined && !isObject(data)) fail(id, 'field "data" is not an object');
  return SessionRecord.restore({
    id,
    protocolVersion,
    clientInfo: i as SessionRecord['clientInfo'],
    clientCapabilities: k,
    owner: owner as string | undefined,
    data,
    createdAt: time(id, 'created_at', createdAt),
    lastAccessed:
      typeof lastAccessed === 'number'
        ? new Date(lastAccessed)
        : time(id, 'last_accessed', lastAccessed),
    expiresAt:
      typeof expiresAt === 'number' ? new Date(expiresAt) : time(id, 'expires_at', expiresAt),
    revision: stored,
  });
}
