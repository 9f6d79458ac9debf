import type { McpEventMessage, McpEventStore } from '../../lib';

/** A store under test, with the bounds it was built with. */
export interface EventStoreSubject {
  store: McpEventStore;
  /** The `maxLength` it was built with. */
  maxLength: number;
}

let sessions = 0;
const freshSession = () => `es-${process.pid}-${++sessions}-4f0c9a2e`;
const note = (n: number): McpEventMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { n },
});

/** Replays after `lastEventId` into a list of `[eventId, n]`. */
async function replay(store: McpEventStore, sessionId: string, lastEventId: string) {
  const seen: [string, unknown][] = [];
  const streamId = await store.forSession(sessionId).replayEventsAfter(lastEventId, {
    send: async (eventId, message) => {
      seen.push([eventId, (message.params as { n?: unknown } | undefined)?.n]);
    },
  });
  return { streamId, seen };
}

/**
 * What every {@link McpEventStore} promises the SDK transports (and a client
 * resuming with `Last-Event-ID`): per session and stream, every event after
 * the given one, in order, once; priming events never replayed; sessions and
 * streams never mixed; at most `maxLength` events kept; `deleteSession`.
 * `build()` gives a store with a `maxLength` of 10 or more.
 */
export function eventStoreCases(build: () => EventStoreSubject | Promise<EventStoreSubject>): void {
  let subject: EventStoreSubject;
  beforeEach(async () => {
    subject = await build();
  });

  it('replays the events of one stream after the given one, in order, once, without priming events', async () => {
    const id = freshSession();
    const events = subject.store.forSession(id);
    const priming = await events.storeEvent('s1', {});
    const ids = [];
    for (let n = 1; n <= 4; n++) {
      ids.push(await events.storeEvent(n % 2 ? 's1' : 's2', note(n)));
      await events.storeEvent('_GET_stream', note(100 + n));
    }
    expect(new Set([priming, ...ids]).size).toBe(5);
    expect(await replay(subject.store, id, priming)).toEqual({
      streamId: 's1',
      seen: [
        [ids[0], 1],
        [ids[2], 3],
      ],
    });
    expect(await replay(subject.store, id, ids[0])).toEqual({
      streamId: 's1',
      seen: [[ids[2], 3]],
    });
    expect(await replay(subject.store, id, ids[1])).toEqual({
      streamId: 's2',
      seen: [[ids[3], 4]],
    });
    expect(await replay(subject.store, id, ids[3])).toEqual({ streamId: 's2', seen: [] });
  });

  it('tells the stream of an event id, and nothing for an id it never issued', async () => {
    const events = subject.store.forSession(freshSession());
    const id = await events.storeEvent('_GET_stream', note(1));
    expect(await events.getStreamIdForEventId?.(id)).toBe('_GET_stream');
    expect(await events.getStreamIdForEventId?.('not-an-event-id')).toBeUndefined();
    await expect(
      events.replayEventsAfter('not-an-event-id', { send: async () => undefined }),
    ).rejects.toThrow();
  });

  it('keeps sessions apart, though their streams have the same ids', async () => {
    const [one, two] = [freshSession(), freshSession()];
    const start = [
      await subject.store.forSession(one).storeEvent('_GET_stream', {}),
      await subject.store.forSession(two).storeEvent('_GET_stream', {}),
    ];
    for (let n = 1; n <= 4; n++) {
      await subject.store.forSession(n % 2 ? one : two).storeEvent('_GET_stream', note(n));
    }
    expect((await replay(subject.store, one, start[0])).seen.map(([, n]) => n)).toEqual([1, 3]);
    expect((await replay(subject.store, two, start[1])).seen.map(([, n]) => n)).toEqual([2, 4]);
  });

  it('keeps at most maxLength events of a session, the newest', async () => {
    const id = freshSession();
    const events = subject.store.forSession(id);
    const first = await events.storeEvent('s', note(0));
    const all = Array.from({ length: subject.maxLength + 6 }, (_, n) => n);
    for (const n of all.slice(1)) await events.storeEvent('s', note(n));
    const { seen } = await replay(subject.store, id, first);
    expect(seen.map(([, n]) => n)).toEqual(all.slice(-subject.maxLength));
  });

  it('forgets a deleted session (idempotent)', async () => {
    const id = freshSession();
    const events = subject.store.forSession(id);
    const first = await events.storeEvent('s', note(1));
    await events.storeEvent('s', note(2));
    await subject.store.deleteSession(id);
    await subject.store.deleteSession(id);
    expect((await replay(subject.store, id, first)).seen).toEqual([]);
  });

  it('copies messages in and out', async () => {
    const id = freshSession();
    const events = subject.store.forSession(id);
    const first = await events.storeEvent('s', note(1));
    const message = note(2);
    await events.storeEvent('s', message);
    (message.params as { n: number }).n = 99;
    const sent: McpEventMessage[] = [];
    await events.replayEventsAfter(first, { send: async (_id, m) => void sent.push(m) });
    expect(sent).toEqual([note(2)]);
  });
}
