import { Logger } from '@nestjs/common';
import type { SessionRecord } from '../../contract/session-record';
import { errorMessage, shortId } from '../../contract/session-store.error';
import { decodeRow } from './postgres-record.codec';

/** How long a row moved aside is kept in the quarantine table: a day. */
export const QUARANTINE_TTL_MS = 24 * 60 * 60_000;

/** A row as `load`, `lock` and `touch` read it: format, revision, record, createdAt, lastAccessed, expiresAt. */
export type ReadRow = [unknown, unknown, unknown, unknown, unknown, unknown];

/** Runs the quarantine statement with `values`; resolves to whether the row moved. */
export type MoveRow = (values: unknown[]) => Promise<boolean>;

const logger = new Logger('PostgresSessionStore');

/**
 * Decodes the row of `id`. A row this version cannot read is moved to the
 * quarantine table (kept a day for inspection), only if it is still the row
 * read, and logged once (a WARN naming the id's first 8 characters).
 * @returns the record; `undefined` when the row was moved aside (the id is
 *   unknown now); `null` when it changed since it was read (read it again).
 */
export async function decodeOrMove(
  id: string,
  row: ReadRow,
  move: MoveRow,
): Promise<SessionRecord | undefined | null> {
  try {
    return decodeRow(id, ...row);
  } catch (error) {
    const [format, revision, raw] = row;
    if (!(await move([id, format, revision, raw, Date.now() + QUARANTINE_TTL_MS]))) return null;
    logger.warn(
      `Session ${shortId(id)}: unreadable row (${errorMessage(error)}) moved to the quarantine table for 24 h; the session is gone`,
    );
    return undefined;
  }
}
