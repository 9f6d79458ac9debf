import {
  R_LABEL,
  R_LABEL_AT,
  R_LABEL_AT_V3,
  RECORD_HEAD,
  RECORD_HEAD_V1,
  RECORD_HEAD_V3,
  TIMES_OFFSET,
} from './record.layout';
import {
  DEADLINE,
  IN_LAYOUT,
  IN_V3_LAYOUT,
  type LuaScript,
  lua,
  range,
  script,
  UNCOUNT,
} from './redis-scripts';

/** What the write scripts answer. */
export const WRITTEN = 1;
/** Written, after moving an unreadable value aside. */
export const WRITTEN_AFTER_QUARANTINE = 2;
/** Not written: an update found nothing (or only an unreadable value, moved aside). */
export const GONE = 0;
export const GONE_AFTER_QUARANTINE = 3;
/**
 * Not written: the stored revision is not the expected one. An update ('u')
 * answers `{CONFLICT, stored value}`, a save the code alone.
 */
export const CONFLICT = -1;
/** Not written: Redis ran the script after its deadline. */
export const LATE = -2;
/** Not written: another writer holds the record's write lease. */
export const LEASED = -3;

/**
 * Lua: moves the record key (any type) to the quarantine key for ARGV[`ttl`]
 * ms and drops its index entry (ARGV[`id`]), and the live count (KEYS[`live`])
 * of `value`, the value as the script read it (false when none or not a
 * string). KEYS: record, index, quarantine.
 */
const MOVE_ASIDE = (
  ttl: number,
  id: number,
  live: number,
  value: string,
): string => `${UNCOUNT(value, `KEYS[${live}]`)}
redis.call('RENAME', KEYS[1], KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[${ttl}])
redis.call('ZREM', KEYS[2], ARGV[${id}])`;

/**
 * save ('s') and update ('u'): a compare-and-set on the revision, unless past
 * the deadline or another writer holds the record's write lease (a lease
 * held by this writer, ARGV[8], is released: whatever the outcome, it has
 * served). The stored revision is read from the value's layout (1 for a
 * version 1 value, the digits after `,"r":` in versions 2 and 3) with no JSON
 * work. Missing key: a save inserts, an update writes nothing. A key of
 * another type or a value not in a layout is moved aside first (then as
 * missing). A stored revision other than ARGV[4]: nothing written (an update
 * gets the stored value and its key's expiry back with the code, for its next
 * attempt). Otherwise the value is written with its expiry, or removed when
 * that expiry has passed; the index entry is written with it (`indexed`,
 * format 2) or removed (format 3: only a version 1 or 2 value had one; the new
 * value is counted in its live-count slot ARGV[9] instead), and a stored
 * value of version 3 leaves its slot. KEYS: record, index, quarantine, lease,
 * live count. ARGV: value, expiresAt, id, expected revision, deadline, mode,
 * quarantine ttl, lease token ('' for none), slot. Returns one of the codes
 * above.
 */
const writeScript = (indexed: boolean): LuaScript =>
  script(`${DEADLINE(5)}
local lease = redis.call('GET', KEYS[4])
if lease then
  if lease ~= ARGV[8] then return ${LEASED} end
  redis.call('DEL', KEYS[4])
end
local v = redis.pcall('GET', KEYS[1])
local rev = 0
local moved = false
if type(v) == 'table' then
  rev = nil
elseif v then
  if ${IN_V3_LAYOUT('v')} then
    rev = tonumber(string.match(v, ${lua(`^${R_LABEL}(%d+),`)}, ${R_LABEL_AT_V3 + 1}))
  elseif not (${IN_LAYOUT('v')}) then
    rev = nil
  elseif string.sub(v, ${range(0, TIMES_OFFSET)}) == ${lua(RECORD_HEAD_V1)} then
    rev = 1
  else
    rev = tonumber(string.match(v, ${lua(`^${R_LABEL}(%d+)`)}, ${R_LABEL_AT + 1}))
  end
end
if rev == nil then
${MOVE_ASIDE(7, 3, 5, "(type(v) == 'string' and v)")}
  moved = true
  v = false
end
if not v then
  if ARGV[6] == 'u' then return moved and ${GONE_AFTER_QUARANTINE} or ${GONE} end
elseif rev ~= tonumber(ARGV[4]) then
  if ARGV[6] == 'u' then return {${CONFLICT}, v, redis.call('PEXPIRETIME', KEYS[1])} end
  return ${CONFLICT}
end
${UNCOUNT('v', 'KEYS[5]')}
if tonumber(ARGV[2]) <= now then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
  ${indexed ? "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])" : "redis.call('ZREM', KEYS[2], ARGV[3])\n  redis.call('HINCRBY', KEYS[5], ARGV[9], 1)"}
end
return moved and ${WRITTEN_AFTER_QUARANTINE} or ${WRITTEN}`);

/** save and update in format 2 (with the index entry). */
export const WRITE = writeScript(true);
/** save and update in format 3 (no index entry; a version 1 or 2 value's is removed). */
export const WRITE_V3 = writeScript(false);

/**
 * Takes a write lease (SET NX PX). KEYS: lease. ARGV: token, ms. Returns 1
 * when taken, 0 when another writer holds it.
 */
export const TAKE =
  script(`if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0`);

/**
 * Gives up a write lease, only if it is still the caller's. KEYS: lease.
 * ARGV: token. Returns 1 when released.
 */
export const RELEASE = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`);

/**
 * delete: removes the record and its index entry or live count, unless past
 * the deadline. KEYS: record, index, live count. ARGV: id, deadline. Returns
 * 1, or -2 when late.
 */
export const REMOVE = script(`${DEADLINE(2)}
local v = redis.pcall('GET', KEYS[1])
if type(v) ~= 'string' then v = false end
${UNCOUNT('v', 'KEYS[3]')}
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`);

/**
 * Moves an unreadable record aside, only if it is still what the caller read:
 * the value ARGV[1] (ARGV[4] = 'v'), or a key of another type than string
 * (ARGV[4] = 't'), or bytes that are not UTF-8 (ARGV[4] = 'b': the client
 * read them lossily, so they are compared by not being a record written by
 * this codec). KEYS: record, index, quarantine, live count. ARGV: value, id,
 * quarantine ttl, kind. Returns 1 when moved, 0 when the key changed or went.
 */
export const QUARANTINE = script(`local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'none' then return 0 end
if ARGV[4] == 't' then
  if t == 'string' then return 0 end
elseif t ~= 'string' then
  return 0
elseif ARGV[4] == 'b' then
  local head = string.sub(redis.call('GET', KEYS[1]), 1, ${RECORD_HEAD_V1.length})
  if head == ${lua(RECORD_HEAD_V1)} or head == ${lua(RECORD_HEAD)} or head == ${lua(RECORD_HEAD_V3)} then return 0 end
elseif redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
${MOVE_ASIDE(3, 2, 4, "(ARGV[4] == 'v' and ARGV[1])")}
return 1`);
