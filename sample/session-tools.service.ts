import { Injectable } from '@nestjs/common';
import {
  type McpCaller,
  McpStateHandles,
  type SessionRecord,
  SessionStore,
  updateRecord,
} from '../lib';

/**
 * What the sample's tools do with the session store (injected by type) and
 * with state handles (2026-07-28 clients).
 */
@Injectable()
export class SessionToolsService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly handles: McpStateHandles,
  ) {}

  /** The caller's session record, or `undefined` when it has ended. */
  record(sessionId: string): Promise<SessionRecord | undefined> {
    return this.sessions.load(sessionId);
  }

  /**
   * Adds `by` to the session's counter in `record.data` and returns the new
   * value; it follows the session from instance to instance. An atomic
   * update: parallel calls on one session, on any instances, lose no count.
   * @throws Error when the session has ended.
   */
  async increment(sessionId: string, by = 1): Promise<number> {
    const record = await updateRecord(this.sessions, sessionId, (session) => {
      session.data = { ...session.data, count: Number(session.data?.count ?? 0) + by };
    });
    if (!record) throw new Error('The session has ended');
    return Number(record.data?.count);
  }

  /** Stores a note under `key` in `record.data.notes` (an atomic update, as `increment`). */
  async remember(sessionId: string, key: string, value: string): Promise<Record<string, string>> {
    const record = await updateRecord(this.sessions, sessionId, (session) => {
      const notes = session.data?.notes as Record<string, string> | undefined;
      session.data = { ...session.data, notes: { ...notes, [key]: value } };
    });
    if (!record) throw new Error('The session has ended');
    return record.data?.notes as Record<string, string>;
  }

  /**
   * Adds `by` to the counter in state handle `counter` (a new handle when
   * there is none) and returns the value with the handle.
   * @throws Error when the handle is unknown, expired or another caller's.
   */
  async incrementHandle(
    caller: McpCaller,
    counter: string | undefined,
    by = 1,
  ): Promise<{ count: number; counter: string }> {
    if (counter === undefined)
      return { count: by, counter: await this.handles.create(caller, { count: by }) };
    const data = await this.handles.get(caller, counter);
    if (data === undefined) throw new Error('Unknown counter handle');
    const count = Number(data.count ?? 0) + by;
    await this.handles.update(caller, counter, { count });
    return { count, counter };
  }

  /**
   * Stores a note under `key` in state handle `notes` (a new handle when
   * there is none) and returns all notes with the handle.
   * @throws Error when the handle is unknown, expired or another caller's.
   */
  async rememberInHandle(
    caller: McpCaller,
    handle: string | undefined,
    key: string,
    value: string,
  ): Promise<{ notes: Record<string, string>; handle: string }> {
    if (handle === undefined) {
      const notes = { [key]: value };
      return { notes, handle: await this.handles.create(caller, { notes }) };
    }
    const data = await this.handles.get(caller, handle);
    if (data === undefined) throw new Error('Unknown notes handle');
    const notes = { ...(data.notes as Record<string, string> | undefined), [key]: value };
    await this.handles.update(caller, handle, { notes });
    return { notes, handle };
  }
}
