import { InvalidOptionError } from '../../../lib/contract/option-checks';
import { MemoryEventStore } from '../../../lib';
import { eventStoreCases } from '../event-store.cases';

describe('MemoryEventStore', () => {
  eventStoreCases(() => ({ store: new MemoryEventStore({ maxLength: 10 }), maxLength: 10 }));

  describe('age (fake clock)', () => {
    beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
    afterEach(() => jest.useRealTimers());

    it('replays no event older than maxAge, and drops sessions idle that long', async () => {
      const store = new MemoryEventStore({ maxAge: 60_000 });
      const events = store.forSession('aged-session');
      const first = await events.storeEvent('s', { n: 1 });
      await events.storeEvent('s', { jsonrpc: '2.0', method: 'm', params: { n: 2 } });
      jest.advanceTimersByTime(30_000);
      await events.storeEvent('s', { jsonrpc: '2.0', method: 'm', params: { n: 3 } });
      jest.advanceTimersByTime(30_001);
      const sent: unknown[] = [];
      await events.replayEventsAfter(first, { send: async (_id, m) => void sent.push(m.params) });
      expect(sent).toEqual([{ n: 3 }]);

      await store.forSession('other').storeEvent('s', { n: 0 });
      expect(store.size).toBe(2);
      jest.advanceTimersByTime(60_001);
      await store.forSession('third').storeEvent('s', { n: 0 });
      expect(store.size).toBe(1);
    });
  });

  it('refuses bounds it cannot use', () => {
    expect(() => new MemoryEventStore({ maxLength: 0 })).toThrow(InvalidOptionError);
    expect(() => new MemoryEventStore({ maxAge: -1 })).toThrow(/maxAge/);
  });
});
