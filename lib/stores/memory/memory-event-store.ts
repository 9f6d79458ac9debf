import { checkMilliseconds, checkPositiveInteger } from '../../contract/option-checks';
import type {
  EventStoreBounds,
  McpEventMessage,
  McpEventStore,
  McpSdkEventStore,
} from '../../interfaces/session-event-store.interface';

interface StoredEvent {
  seq: number;
  streamId: string;
  json: string;
  at: number;
}

/** `<streamId>:<sequence>`: the stream is read back from the id alone. */
function parseEventId(eventId: string): { streamId: string; seq: number } | undefined {
  const at = eventId.lastIndexOf(':');
  const seq = Number(eventId.slice(at + 1));
  if (at <= 0 || !/^\d+$/.test(eventId.slice(at + 1)) || !Number.isSafeInteger(seq))
    return undefined;
  return { streamId: eventId.slice(0, at), seq };
}

/**
 * An {@link McpEventStore} in this process's memory, for one instance: SSE
 * streams of 2025-era sessions resume with `Last-Event-ID` after a dropped
 * connection (the SDK's own example store, bounded). Each session keeps at
 * most `maxLength` events, none older than `maxAge`; sessions nobody wrote to
 * for `maxAge` are dropped. Priming events (`{}`) get ids but are never
 * replayed. Messages are copied in and out (JSON).
 */
export class MemoryEventStore implements McpEventStore {
  private readonly sessions = new Map<
    string,
    { events: StoredEvent[]; next: number; last: number }
  >();
  private readonly maxLength: number;
  private readonly maxAge: number;
  private pruned = Date.now();

  /** @throws InvalidOptionError naming a bound that cannot be used. */
  constructor(bounds: EventStoreBounds = {}) {
    const owner = 'MemoryEventStore';
    this.maxLength = checkPositiveInteger(bounds.maxLength ?? 1_000, 'maxLength', owner);
    this.maxAge = checkMilliseconds(bounds.maxAge ?? 10 * 60_000, 'maxAge', { owner });
  }

  forSession(sessionId: string): McpSdkEventStore {
    return {
      storeEvent: async (streamId, message) => this.store(sessionId, streamId, message),
      getStreamIdForEventId: async (eventId) => parseEventId(eventId)?.streamId,
      replayEventsAfter: (lastEventId, { send }) => this.replay(sessionId, lastEventId, send),
    };
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }

  /** How many sessions have events here (for tests and health checks). */
  get size(): number {
    return this.sessions.size;
  }

  private store(sessionId: string, streamId: string, message: McpEventMessage): string {
    const now = Date.now();
    this.pruneIdle(now);
    let session = this.sessions.get(sessionId);
    if (session === undefined) {
      session = { events: [], next: 1, last: now };
      this.sessions.set(sessionId, session);
    }
    const seq = session.next++;
    session.last = now;
    session.events.push({ seq, streamId, json: JSON.stringify(message), at: now });
    const { events } = session;
    let drop = Math.max(0, events.length - this.maxLength);
    while (drop < events.length && events[drop].at <= now - this.maxAge) drop++;
    if (drop > 0) events.splice(0, drop);
    return `${streamId}:${seq}`;
  }

  private async replay(
    sessionId: string,
    lastEventId: string,
    send: (eventId: string, message: McpEventMessage) => Promise<void>,
  ): Promise<string> {
    const last = parseEventId(lastEventId);
    if (last === undefined) throw new Error('MemoryEventStore: not an event id of this store');
    const oldest = Date.now() - this.maxAge;
    // A copy: sends may await while new events arrive.
    const events = [...(this.sessions.get(sessionId)?.events ?? [])];
    for (const event of events) {
      if (event.seq <= last.seq || event.streamId !== last.streamId || event.at <= oldest) continue;
      if (event.json === '{}') continue;
      await send(`${event.streamId}:${event.seq}`, JSON.parse(event.json) as McpEventMessage);
    }
    return last.streamId;
  }

  /** Drops sessions nobody wrote to for `maxAge`, at most ten times per `maxAge`. */
  private pruneIdle(now: number): void {
    if (now - this.pruned < this.maxAge / 10) return;
    this.pruned = now;
    for (const [id, session] of this.sessions) {
      if (session.last <= now - this.maxAge) this.sessions.delete(id);
    }
  }
}
