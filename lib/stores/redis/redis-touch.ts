import type { SessionRecord } from '../../contract/session-record';
import { decodeRecord } from './record.codec';
import {
  encodeSlot,
  encodeT,
  encodeTimes,
  hasTimesLayout,
  hasV3Layout,
  slotIn,
  slotOf,
  TIMES_OFFSET,
} from './record.layout';
import { isDecode, type RedisRecords } from './redis-records';
import { RESTAMP_V3, runScript, TOUCH } from './redis-scripts';

/*
 * RedisSessionStore.touch over values of every format version. A version 3
 * value keeps no time of access: its usual touch is one GETEX PXAT, which
 * Redis runs as cheaply as a GET and which never creates a key (a missing or
 * expired key gives nil and nothing is written). Versions 1 and 2 hold their
 * times in the value: the touch script rewrites them in place.
 */

/**
 * Extends a live record (`lastAccessed` = now, `expiresAt` = now + `ttlMs`)
 * and returns it, or `undefined` when there is none. The first step depends
 * on the format this store writes, the usual one in its keyspace: GETEX for
 * format 3, the touch script for format 2; a value of the other kind takes
 * the other step after it. An unreadable value is moved aside as a read does.
 */
export async function touchRecord(
  records: RedisRecords,
  id: string,
  ttlMs: number,
): Promise<SessionRecord | undefined> {
  const now = Date.now();
  const expiresAt = now + Math.floor(ttlMs);
  if (records.options.recordFormat === 2) {
    const before = await legacyTouch(records, id, now, expiresAt);
    return typeof before === 'string' ? v3Touch(records, id, now, expiresAt) : before;
  }
  return v3Touch(records, id, now, expiresAt);
}

/**
 * GETEX PXAT. A second call when the value's `t` is not this ttl, or when
 * the new expiry crossed into a later live-count slot (at most once a slot
 * per session): see RESTAMP_V3.
 */
async function v3Touch(
  records: RedisRecords,
  id: string,
  now: number,
  expiresAt: number,
): Promise<SessionRecord | undefined> {
  const key = records.keys.record(id);
  let raw: string | null;
  try {
    raw = await records.run('touch', id, () => records.client.getex(key, 'PXAT', expiresAt));
  } catch (error) {
    if (!isDecode(error)) throw error;
    return (await records.quarantine(id, null, error)) ? undefined : records.read(id);
  }
  if (raw === null) return undefined;
  if (!hasV3Layout(raw)) {
    const record = await legacyTouch(records, id, now, expiresAt);
    // A version 3 value again: another instance rewrote it meanwhile; this touch has run.
    return typeof record === 'string' ? records.read(id) : record;
  }
  let record: SessionRecord;
  try {
    record = decodeRecord(id, raw, expiresAt);
  } catch (error) {
    return (await records.quarantine(id, raw, error)) ? undefined : records.read(id);
  }
  const retime = record.lastAccessed.getTime() !== now;
  const slot = slotOf(expiresAt);
  if (retime || slot > slotIn(raw)) {
    const args = [retime ? encodeT(expiresAt - now) : '', expiresAt, slot, encodeSlot(slot)];
    const keys = records.keys.recordAndLive(id);
    await records.run('touch', id, () => runScript(records.client, RESTAMP_V3, keys, args));
  }
  record.lastAccessed = new Date(now);
  return record;
}

/**
 * The touch script (versions 1 and 2). Resolves to the touched record,
 * `undefined`, or a version 3 value as the script returned it untouched.
 */
async function legacyTouch(
  records: RedisRecords,
  id: string,
  now: number,
  expiresAt: number,
): Promise<SessionRecord | string | undefined> {
  const times = encodeTimes(now, expiresAt);
  let before: unknown;
  try {
    before = await records.run('touch', id, () =>
      runScript(records.client, TOUCH, records.keys.recordAndIndex(id), [times, id]),
    );
  } catch (error) {
    if (!isDecode(error)) throw error;
    return (await records.quarantine(id, null, error)) ? undefined : records.read(id);
  }
  if (before === null || before === undefined) return undefined;
  const raw = String(before);
  if (hasV3Layout(raw)) return raw;
  try {
    const record = decodeRecord(id, raw);
    record.lastAccessed = new Date(now);
    record.expiresAt = new Date(expiresAt);
    return record;
  } catch (error) {
    // The script rewrote the times of a value in the layout: that is what is stored now.
    const stored = hasTimesLayout(raw)
      ? raw.slice(0, TIMES_OFFSET) + times + raw.slice(TIMES_OFFSET + times.length)
      : raw;
    return (await records.quarantine(id, stored, error)) ? undefined : records.read(id);
  }
}
