import { randomBytes } from 'node:crypto';
import type { SessionRecord } from '../../contract/session-record';
import { SessionStoreError, shortId } from '../../contract/session-store.error';
import {
  type ConflictWithCurrent,
  optimisticUpdate,
  type SessionRecordChange,
  type SessionUpdateOptions,
  type WriteOutcome,
} from '../../contract/update-record';
import { decodeRecord } from './record.codec';
import type { RedisRecords } from './redis-records';
import { type LuaScript, runScript } from './redis-scripts';
import * as W from './redis-write.scripts';

/*
 * The writes of RedisRecords: scripts that refuse to run after their
 * deadline, an update's conflict answer, and the write lease.
 */

/**
 * Runs a write script with a deadline (the last ARGV before `extra`): the
 * moment this call gives up, less a margin for the answer's way back.
 * Resolves to the script's code (or, for an update's conflict, the code and
 * the stored value); past the deadline, rejects with kind `backend`.
 */
export async function writeScript(
  records: RedisRecords,
  op: string,
  id: string,
  lua: LuaScript,
  keys: string[],
  args: (string | number)[],
  extra: (string | number)[],
): Promise<number | unknown[]> {
  const timeout = records.options.commandTimeout;
  const deadline = Date.now() + timeout - Math.min(100, timeout / 10);
  const all = [...args, Math.floor(deadline), ...extra];
  const answer = await records.run(op, id, () => runScript(records.client, lua, keys, all));
  if (Array.isArray(answer)) return answer;
  const code = Number(answer);
  if (code === W.LATE) {
    throw new SessionStoreError(
      'backend',
      `${op} of session ${shortId(id)}: Redis ran it after its deadline (commandTimeout ${timeout} ms); nothing was written`,
    );
  }
  return code;
}

/** The attempt of an update (0-based) from which it takes the record's write lease first. */
const LEASE_FROM_ATTEMPT = 2;

/**
 * An update's conflict: the stored value that won, decoded, when it is a
 * live record; else a plain conflict (the next attempt reads and, for an
 * unreadable value, moves it aside as a read does).
 */
export function conflictWith(
  id: string,
  stored: unknown,
  keyExpiry: unknown,
): WriteOutcome | ConflictWithCurrent {
  if (typeof stored !== 'string') return 'conflict';
  try {
    const current = decodeRecord(id, stored, Number(keyExpiry));
    return current.isExpired() ? 'conflict' : { current };
  } catch {
    return 'conflict';
  }
}

/**
 * `RedisSessionStore.update`: the optimistic loop (a lost write is tried
 * again at once on the record its conflict brought back), and from the third
 * attempt on, the record's write lease taken before the read, so that the
 * read and the write cannot lose (other writers' saves and updates are
 * refused while it is held). A lease the write did not use is given up.
 */
export async function leasedUpdate(
  records: RedisRecords,
  id: string,
  change: SessionRecordChange,
  options: SessionUpdateOptions | undefined,
): Promise<SessionRecord | undefined> {
  let lease: string | undefined;
  const read = async (attempt: number) => {
    if (attempt >= LEASE_FROM_ATTEMPT && lease === undefined) lease = await takeLease(records, id);
    return records.read(id);
  };
  const write = async (record: SessionRecord) => {
    const held = lease;
    lease = undefined; // the write script releases it, whatever it answers
    return records.put(record, 'u', held);
  };
  try {
    return await optimisticUpdate(id, change, options, read, write);
  } finally {
    if (lease !== undefined) void releaseLease(records, id, lease).catch(() => undefined);
  }
}

/**
 * Takes record `id`'s write lease (SET NX, for two command timeouts).
 * @returns its token, or `undefined` when another writer holds it.
 */
async function takeLease(records: RedisRecords, id: string): Promise<string | undefined> {
  const token = randomBytes(9).toString('base64url');
  const args = [token, 2 * records.options.commandTimeout];
  const key = records.keys.lease(id);
  const taken = await records.run('update', id, () =>
    runScript(records.client, W.TAKE, [key], args),
  );
  return taken === 1 ? token : undefined;
}

/** Gives up a lease a write did not use (the change threw, the record went, an error). */
async function releaseLease(records: RedisRecords, id: string, token: string): Promise<void> {
  const key = records.keys.lease(id);
  await records.run('update', id, () => runScript(records.client, W.RELEASE, [key], [token]));
}
