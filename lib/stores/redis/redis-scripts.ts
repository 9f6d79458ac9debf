import { createHash } from 'node:crypto';
import { errorMessage } from '../../contract/session-store.error';
import {
  E_LABEL,
  E_LABEL_AT,
  R_LABEL,
  R_LABEL_AT_V3,
  RECORD_HEAD,
  RECORD_HEAD_V1,
  RECORD_HEAD_V3,
  S_AT,
  S_LABEL,
  S_LABEL_AT,
  TIME_WIDTH,
  TIMES_OFFSET,
} from './record.layout';
import type { RedisClient } from './redis-client';

/** A Lua script run by EVALSHA, loaded with EVAL when the server lacks it. */
export interface LuaScript {
  readonly lua: string;
  readonly sha: string;
}

/** A script of `lua`, with its SHA1. */
export function script(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** A Lua string literal of `text`. */
export const lua = (text: string): string => `'${text.replace(/[\\']/g, '\\$&')}'`;

/** Lua's 1-based, inclusive `string.sub` range of `length` characters from 0-based `offset`. */
export const range = (offset: number, length: number): string =>
  `${offset + 1}, ${offset + length}`;

/**
 * Lua that sets `now` to the server's time in epoch ms, and returns -2 when
 * it is past ARGV[`deadline`]: a write that Redis runs only after its caller
 * gave up (a server that hung, a command that waited in a queue) is a no-op.
 * Scripts replicate their effects (the default since Redis 5), so writing
 * after TIME is allowed.
 */
export const DEADLINE = (deadline: number): string => `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[${deadline}]) then return -2 end`;

/**
 * create: SET NX with the record's own expiry, in one atomic step, unless
 * past the deadline; with `indexed` (format 2) the index entry too, else a
 * count in the live-count slot ARGV[5]. KEYS: record, index, live count.
 * ARGV: value, expiresAt, id, deadline, slot. Returns 1 when stored, 0 when
 * the id is taken by a live record, -2 past the deadline.
 */
const createScript = (indexed: boolean): LuaScript =>
  script(`${DEADLINE(4)}
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then
  ${indexed ? "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])" : "redis.call('HINCRBY', KEYS[3], ARGV[5], 1)"}
  return 1
end
return 0`);

/** create in format 2: the record and its index entry. */
export const CREATE = createScript(true);
/** create in format 3: the record, counted in its slot. */
export const CREATE_V3 = createScript(false);

/** The layout of a value (see `record.codec.ts`): the `a` time, `,"e":`, the `e` time. */
const EXPIRES_AT = E_LABEL_AT + E_LABEL.length;
/** In ARGV[1], `encodeTimes`' span: "now", `,"e":`, the new expiry. */
const NEW_EXPIRY_AT = TIME_WIDTH + E_LABEL.length;

/** Lua: true when `v` has the fixed layout of version 1 or 2 (same offsets). */
export const IN_LAYOUT = (v: string): string =>
  `(string.sub(${v}, ${range(0, TIMES_OFFSET)}) == ${lua(RECORD_HEAD)} or string.sub(${v}, ${range(0, TIMES_OFFSET)}) == ${lua(RECORD_HEAD_V1)}) and string.sub(${v}, ${range(E_LABEL_AT, E_LABEL.length)}) == ${lua(E_LABEL)}`;

/**
 * touch: extends a live record in place, with no JSON work. Rewrites the
 * fixed-width times of a version 1 or 2 value (SETRANGE at `TIMES_OFFSET`),
 * moves the key's expiry and the index entry, and returns the value as it
 * was before. ARGV[1] is the new times span (`encodeTimes`): "now", then the
 * new expiry. A missing key or a value whose stored expiry is not after "now"
 * (the caller's clock) gives nil and writes nothing: a touch never revives a
 * record. A value not in the layout is returned untouched (the caller moves
 * it aside). The revision is left as it is. KEYS: record, index. ARGV: times
 * span, id. Two arguments only, and no deadline: every argument costs the
 * client encoding time on every request, and a touch that runs late only
 * extends a live session. The offsets come from the codec's constants.
 */
export const TOUCH = script(`local v = redis.call('GET', KEYS[1])
if not v then return false end
if not (${IN_LAYOUT('v')}) then return v end
local e = tonumber(string.sub(v, ${range(EXPIRES_AT, TIME_WIDTH)}))
local now = tonumber(string.sub(ARGV[1], ${range(0, TIME_WIDTH)}))
if e == nil or e <= now then return false end
local expires = string.gsub(string.sub(ARGV[1], ${range(NEW_EXPIRY_AT, TIME_WIDTH)}), ' ', '')
redis.call('SETRANGE', KEYS[1], ${TIMES_OFFSET}, ARGV[1])
redis.call('PEXPIREAT', KEYS[1], expires)
redis.call('ZADD', KEYS[2], expires, ARGV[2])
return v`);

/** Lua: true when `v` starts as a version 3 value does (head, `t`, `s`, then `r`). */
export const IN_V3_LAYOUT = (v: string): string =>
  `string.sub(${v}, ${range(0, TIMES_OFFSET)}) == ${lua(RECORD_HEAD_V3)} and string.sub(${v}, ${range(S_LABEL_AT, S_LABEL.length)}) == ${lua(S_LABEL)} and string.sub(${v}, ${range(R_LABEL_AT_V3, R_LABEL.length)}) == ${lua(R_LABEL)}`;

/** Lua: the live-count slot of version 3 value `v`, as the digits it holds. */
const SLOT_OF = (v: string): string =>
  `(string.gsub(string.sub(${v}, ${range(S_AT, TIME_WIDTH)}), ' ', ''))`;

/**
 * Lua: if `v` (a value read, or false) is of version 3, takes it out of its
 * live-count slot in hash `live` (a slot whose count reaches 0 goes).
 */
export const UNCOUNT = (v: string, live: string): string => `if ${v} and (${IN_V3_LAYOUT(v)}) then
  local slot = ${SLOT_OF(v)}
  if redis.call('HINCRBY', ${live}, slot, -1) <= 0 then redis.call('HDEL', ${live}, slot) end
end`;

/**
 * The rare second step of a version 3 touch, when the ttl differs from the
 * one the value holds (ARGV[1], the `t` span, else '') and/or the new expiry
 * crossed into a later live-count slot than the value's (ARGV[3], the slot;
 * ARGV[4], the same padded): rewrites `t` in place and sets the expiry
 * ARGV[2] again (another touch may have run in between), and moves the
 * record's count to the later slot (never to an earlier one), only if the key
 * still holds a version 3 value: never creates a key. KEYS: record, live
 * count. Returns 1 when done, else 0.
 */
export const RESTAMP_V3 = script(`local v = redis.call('GET', KEYS[1])
if not v or not (${IN_V3_LAYOUT('v')}) then return 0 end
if ARGV[1] ~= '' then
  redis.call('SETRANGE', KEYS[1], ${TIMES_OFFSET}, ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
local old = ${SLOT_OF('v')}
if tonumber(ARGV[3]) > (tonumber(old) or 0) then
  if redis.call('HINCRBY', KEYS[2], old, -1) <= 0 then redis.call('HDEL', KEYS[2], old) end
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  redis.call('SETRANGE', KEYS[1], ${S_AT}, ARGV[4])
end
return 1`);

/**
 * count, per bucket: live entries of the expiry index (values of versions 1
 * and 2) plus the counts of live-count slots that have not ended (values of
 * version 3); slots that ended are dropped. KEYS: index, live count. ARGV:
 * now. Returns the bucket's count.
 */
export const COUNT = script(`local now = tonumber(ARGV[1])
local n = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
local slots = redis.call('HGETALL', KEYS[2])
for i = 1, #slots, 2 do
  local slot = tonumber(slots[i])
  if slot and slot > now then
    n = n + math.max(0, tonumber(slots[i + 1]) or 0)
  else
    redis.call('HDEL', KEYS[2], slots[i])
  end
end
return n`);

/** Runs a script by its SHA1, loading it with EVAL if the server does not have it (yet, or after a restart). */
export async function runScript(
  client: RedisClient,
  { lua, sha }: LuaScript,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!errorMessage(error).startsWith('NOSCRIPT')) throw error;
    return client.eval(lua, keys.length, ...keys, ...args);
  }
}
