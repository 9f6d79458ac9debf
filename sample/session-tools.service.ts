import { Injectable } from '@nestjs/common';
import { type SessionRecord, SessionStore } from '../lib';

/** What the sample's tools do with the session store (injected by type). */
@Injectable()
export class SessionToolsService {
  constructor(private readonly sessions: SessionStore) {}

  /** The caller's session record, or `undefined` when it has ended. */
  record(sessionId: string): Promise<SessionRecord | undefined> {
    return this.sessions.load(sessionId);
  }

  /**
   * Adds one to the session's counter in `record.data` and returns the new
   * value; it follows the session from instance to instance.
   * @throws Error when the session has ended.
   */
  async increment(sessionId: string, by = 1): Promise<number> {
    const record = await this.sessions.load(sessionId);
    if (!record) throw new Error('The session has ended');
    const count = Number(record.data?.count ?? 0) + by;
    record.data = { ...record.data, count };
    await this.sessions.save(record);
    return count;
  }

  /** Stores a note under `key` in `record.data.notes`. */
  async remember(sessionId: string, key: string, value: string): Promise<Record<string, string>> {
    const record = await this.sessions.load(sessionId);
    if (!record) throw new Error('The session has ended');
    const notes = { ...(record.data?.notes as Record<string, string> | undefined), [key]: value };
    record.data = { ...record.data, notes };
    await this.sessions.save(record);
    return notes;
  }
}
